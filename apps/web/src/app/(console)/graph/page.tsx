'use client';
// The live service graph: search, focus on one service's neighbourhood, click for details.

import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { GraphDetails } from '~/components/graph/graph-details';
import { MAX_DRAWN_NODES, visibleNodes } from '~/components/graph/neighbourhood';
import { type GraphSelection, ServiceGraph } from '~/components/graph/service-graph';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { LIVE_REFRESH_MS } from '~/trpc/query-client';
import { useTRPC } from '~/trpc/react';

const WINDOWS = [
  { seconds: 60, label: 'last minute' },
  { seconds: 300, label: 'last 5 minutes' },
  { seconds: 900, label: 'last 15 minutes' },
];

export default function GraphPage() {
  const trpc = useTRPC();
  const [windowSeconds, setWindowSeconds] = useState(60);
  const [search, setSearch] = useState('');
  const [focus, setFocus] = useState<string | null>(null);
  const [selection, setSelection] = useState<GraphSelection>(null);
  const graph = useQuery(
    trpc.telemetry.graph.queryOptions({ windowSeconds }, { refetchInterval: LIVE_REFRESH_MS }),
  );
  const allIds = useMemo(() => graph.data?.nodes.map((n) => n.id) ?? [], [graph.data]);
  const visible = useMemo(
    () => visibleNodes(allIds, graph.data?.edges ?? [], search, focus),
    [allIds, graph.data, search, focus],
  );

  const select = (next: GraphSelection) => {
    setSelection(next);
    if (next?.kind === 'node' && allIds.length > MAX_DRAWN_NODES) setFocus(next.id);
  };

  return (
    <>
      <PageHeader
        title="Service graph"
        subtitle="Live calls between services: req/s · success rate · p99"
        actions={
          <>
            <input
              type="search"
              placeholder="Search services"
              aria-label="Search services"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setFocus(null);
              }}
            />
            <select
              aria-label="Focus on a service"
              value={focus ?? ''}
              onChange={(e) => setFocus(e.target.value === '' ? null : e.target.value)}
            >
              <option value="">Whole mesh</option>
              {allIds.map((id) => (
                <option key={id} value={id}>
                  Around {id}
                </option>
              ))}
            </select>
            <select
              aria-label="Window"
              value={windowSeconds}
              onChange={(e) => setWindowSeconds(Number(e.target.value))}
            >
              {WINDOWS.map((w) => (
                <option key={w.seconds} value={w.seconds}>
                  {w.label}
                </option>
              ))}
            </select>
          </>
        }
      />
      <QueryView
        query={graph}
        what="the service graph"
        isEmpty={(data) => data.nodes.length === 0}
        empty={<>No services yet: apply a mesh configuration with `weft apply`.</>}
      >
        {(data) => (
          <div className="graph-layout">
            <div className="graph-canvas">
              <ServiceGraph
                graph={data}
                nodeIds={visible.ids}
                selection={selection}
                onSelect={select}
              />
            </div>
            <aside className="panel">
              {visible.truncated ? (
                <p className="muted">
                  Showing {visible.ids.length} of {allIds.length} services: search or focus to
                  narrow.
                </p>
              ) : null}
              <GraphDetails graph={data} selection={selection} />
            </aside>
          </div>
        )}
      </QueryView>
    </>
  );
}
