'use client';
// The service graph drawn as SVG: services as boxes, calls as arrows labelled with live req/s,
// success rate and p99, coloured by health; dashed where some calls were not mTLS.

import { useMemo } from 'react';
import type { RouterOutputs } from '~/trpc/types';
import { HEALTH_COLOUR, healthOf } from '../format/health';
import { formatLatency, formatPercent, formatRate } from '../format/numbers';
import { edgeKey, layoutGraph, NODE_HEIGHT, NODE_WIDTH } from './layout';

type Graph = RouterOutputs['telemetry']['graph'];
export type GraphSelection = { kind: 'node'; id: string } | { kind: 'edge'; key: string } | null;

export function ServiceGraph({
  graph,
  nodeIds,
  selection,
  onSelect,
}: {
  graph: Graph;
  nodeIds: readonly string[];
  selection: GraphSelection;
  onSelect: (selection: GraphSelection) => void;
}) {
  const drawn = useMemo(() => new Set(nodeIds), [nodeIds]);
  const edges = useMemo(
    () => graph.edges.filter((e) => drawn.has(e.source) && drawn.has(e.destination)),
    [graph.edges, drawn],
  );
  // Layout depends on the shape only, so refreshed numbers never move a box.
  const shape = `${nodeIds.join(',')}|${edges.map((e) => edgeKey(e.source, e.destination)).join(',')}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the shape string stands for nodeIds and edges
  const placed = useMemo(() => layoutGraph(nodeIds, edges), [shape]);
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));

  return (
    <svg
      viewBox={`0 0 ${Math.max(placed.width, 400)} ${Math.max(placed.height, 300)}`}
      width="100%"
      preserveAspectRatio="xMidYMin meet"
      style={{ maxHeight: '100%', minWidth: Math.min(placed.width, 900) * 0.6 }}
      role="img"
      aria-label="Service graph"
      data-testid="service-graph"
    >
      <defs>
        {Object.entries(HEALTH_COLOUR).map(([health, colour]) => (
          <marker
            key={health}
            id={`arrow-${health}`}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill={colour} />
          </marker>
        ))}
      </defs>
      {edges.map((e) => {
        const key = edgeKey(e.source, e.destination);
        const drawnEdge = placed.edges.get(key);
        const points = drawnEdge?.points ?? [];
        const health = healthOf(e.successRate, e.p99);
        const label = drawnEdge?.label;
        const selected = selection?.kind === 'edge' && selection.key === key;
        const select = () => onSelect({ kind: 'edge', key });
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>
          <g
            key={key}
            className="graph-edge"
            role="button"
            tabIndex={0}
            aria-label={`${e.source} calls ${e.destination}: ${formatRate(e.requestsPerSecond)}, success ${formatPercent(e.successRate)}, p99 ${formatLatency(e.p99)}`}
            data-testid={`edge-${key}`}
            onClick={select}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') select();
            }}
          >
            <path
              d={points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x} ${p.y}`).join(' ')}
              fill="none"
              stroke={HEALTH_COLOUR[health]}
              strokeWidth={selected ? 4 : 2 + Math.min(3, Math.log10(1 + e.requestsPerSecond))}
              strokeDasharray={e.mtlsShare < 1 ? '6 4' : undefined}
              markerEnd={`url(#arrow-${health})`}
            />
            {label === undefined ? null : (
              <text
                x={label.x}
                y={label.y + 4}
                textAnchor="middle"
                fontSize="12"
                fill="#1d2530"
                stroke="#fff"
                strokeWidth={4}
                paintOrder="stroke"
              >
                <tspan data-testid="edge-rps">{formatRate(e.requestsPerSecond)}</tspan>
                {' · '}
                <tspan data-testid="edge-success">{formatPercent(e.successRate)}</tspan>
                {' · '}
                <tspan data-testid="edge-p99">{formatLatency(e.p99)}</tspan>
              </text>
            )}
          </g>
        );
      })}
      {nodeIds.map((id) => {
        const position = placed.nodes.get(id);
        const node = nodes.get(id);
        if (position === undefined || node === undefined) return null;
        const health = healthOf(node.successRate, node.p99);
        const selected = selection?.kind === 'node' && selection.id === id;
        const select = () => onSelect({ kind: 'node', id });
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>
          <g
            key={id}
            className="graph-node"
            transform={`translate(${position.x - NODE_WIDTH / 2}, ${position.y - NODE_HEIGHT / 2})`}
            role="button"
            tabIndex={0}
            aria-label={`${id}: ${formatRate(node.requestsPerSecond)}, success ${formatPercent(node.successRate)}`}
            data-testid={`node-${id}`}
            onClick={select}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') select();
            }}
          >
            <rect
              width={NODE_WIDTH}
              height={NODE_HEIGHT}
              rx="8"
              fill="#fff"
              stroke={selected ? '#3461c1' : HEALTH_COLOUR[health]}
              strokeWidth={selected ? 3 : 2}
            />
            <text x="12" y="22" fontSize="13" fontWeight="600" fill="#1d2530">
              {id}
            </text>
            <text x="12" y="42" fontSize="11" fill="#66717e">
              {node.versions.join(' · ') || 'no versions'} · {formatRate(node.requestsPerSecond)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
