'use client';
// What the side panel says about the selected service or call.

import Link from 'next/link';
import type { RouterOutputs } from '~/trpc/types';
import { formatLatency, formatPercent, formatRate } from '../format/numbers';
import { edgeKey } from './layout';
import type { GraphSelection } from './service-graph';

type Graph = RouterOutputs['telemetry']['graph'];

export function GraphDetails({ graph, selection }: { graph: Graph; selection: GraphSelection }) {
  if (selection === null)
    return <p className="muted">Select a service or a call to see its numbers.</p>;
  if (selection.kind === 'node') {
    const node = graph.nodes.find((n) => n.id === selection.id);
    if (node === undefined)
      return <p className="muted">{selection.id} is no longer in the mesh.</p>;
    const calls = graph.edges.filter((e) => e.source === node.id);
    const callers = graph.edges.filter((e) => e.destination === node.id);
    return (
      <div data-testid="graph-details">
        <h3>
          <Link href={`/services/${node.id}`}>{node.id}</Link>
        </h3>
        <dl className="details">
          <dt>Versions</dt>
          <dd>{node.versions.join(', ') || 'none declared'}</dd>
          <dt>Inbound requests</dt>
          <dd>{formatRate(node.requestsPerSecond)}</dd>
          <dt>Success rate</dt>
          <dd>{formatPercent(node.successRate, 2)}</dd>
          <dt>p99</dt>
          <dd>{formatLatency(node.p99)}</dd>
          <dt>Called by</dt>
          <dd>{callers.map((e) => e.source).join(', ') || 'nobody in the mesh'}</dd>
          <dt>Calls</dt>
          <dd>{calls.map((e) => e.destination).join(', ') || 'nothing'}</dd>
        </dl>
      </div>
    );
  }
  const edge = graph.edges.find((e) => edgeKey(e.source, e.destination) === selection.key);
  if (edge === undefined) return <p className="muted">No calls on this edge in the window.</p>;
  return (
    <div data-testid="graph-details">
      <h3>
        {edge.source} → {edge.destination}
      </h3>
      <dl className="details">
        <dt>Requests</dt>
        <dd>
          {formatRate(edge.requestsPerSecond)} ({edge.requests} in {graph.windowSeconds} s)
        </dd>
        <dt>Success rate</dt>
        <dd>{formatPercent(edge.successRate, 2)}</dd>
        <dt>p99</dt>
        <dd>{formatLatency(edge.p99)}</dd>
        <dt>mTLS</dt>
        <dd>{formatPercent(edge.mtlsShare, 0)} of calls</dd>
      </dl>
      <h3>By destination version</h3>
      <table>
        <thead>
          <tr>
            <th>Version</th>
            <th className="num">Req/s</th>
            <th className="num">Success</th>
            <th className="num">p99</th>
          </tr>
        </thead>
        <tbody>
          {edge.byVersion.map((v) => (
            <tr key={v.version}>
              <td>{v.version}</td>
              <td className="num">{formatRate(v.requestsPerSecond)}</td>
              <td className="num">{formatPercent(v.successRate)}</td>
              <td className="num">{formatLatency(v.p99)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
