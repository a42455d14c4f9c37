'use client';
// "Applied by 12/12 proxies": how far a revision has spread, polled until it is everywhere.

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '~/trpc/react';
import { formatLatency } from '../format/numbers';

const POLL_MS = 1_000;

export function PropagationStatus({ revision }: { revision: number }) {
  const trpc = useTRPC();
  const propagation = useQuery(
    trpc.revisions.propagation.queryOptions(
      { id: revision },
      {
        refetchInterval: (query) => (query.state.data?.completedInMs == null ? POLL_MS : false),
      },
    ),
  );
  const p = propagation.data;
  if (p === undefined)
    return <span className="muted">Revision {revision}: waiting for proxies…</span>;
  return (
    <div data-testid="propagation" data-applied={p.applied} data-affected={p.affected}>
      <span className={`badge ${p.completedInMs === null ? 'warn' : 'good'}`}>
        applied by {p.applied}/{p.affected} proxies
      </span>{' '}
      <span className="muted">
        revision {p.revision}
        {p.completedInMs === null
          ? ' · propagating'
          : ` · everywhere in ${formatLatency(p.completedInMs)}`}
      </span>
      {p.nacked.map((n) => (
        <div key={n.proxy} className="form-error">
          {n.proxy} refused it: {n.error}
        </div>
      ))}
    </div>
  );
}
