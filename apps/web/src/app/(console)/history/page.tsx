'use client';
// Configuration history: every revision, what it changed, and one-click rollback to any of them.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { PropagationStatus } from '~/components/canary/propagation-status';
import { ConfirmButton } from '~/components/confirm-button';
import { formatTime } from '~/components/format/numbers';
import { ResourceDiff } from '~/components/history/resource-diff';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { Can } from '~/components/shell/session';
import { LIVE_REFRESH_MS } from '~/trpc/query-client';
import { useTRPC } from '~/trpc/react';

export default function HistoryPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revisions = useQuery(
    trpc.revisions.list.queryOptions({ limit: 100 }, { refetchInterval: LIVE_REFRESH_MS }),
  );
  const [selected, setSelected] = useState<number | null>(null);
  const current = revisions.data?.[0]?.id;
  const shown = selected ?? current ?? null;
  const diff = useQuery(
    trpc.revisions.diff.queryOptions(
      { from: (shown ?? 1) - 1, to: shown ?? 1 },
      { enabled: shown !== null },
    ),
  );
  const rollback = useMutation(
    trpc.revisions.rollback.mutationOptions({
      onSuccess: (outcome) => {
        if (outcome.revision !== null) setSelected(outcome.revision);
        return queryClient.invalidateQueries({ queryKey: trpc.revisions.pathKey() });
      },
    }),
  );

  return (
    <>
      <PageHeader title="History" subtitle="Every configuration revision, newest first" />
      {rollback.error === null ? null : (
        <div className="state state-error">{rollback.error.message}</div>
      )}
      {rollback.data?.changed === true ? (
        <div className="panel">
          Rolled back as revision {rollback.data.revision}.{' '}
          <PropagationStatus revision={rollback.data.revision} />
        </div>
      ) : null}
      <QueryView
        query={revisions}
        what="revisions"
        isEmpty={(data) => data.length === 0}
        empty={<>No revisions yet: apply a mesh configuration with `weft apply`.</>}
      >
        {(data) => (
          <div className="grid-2" style={{ gridTemplateColumns: '1.1fr 1fr' }}>
            <div className="table-wrap">
              <table data-testid="revisions">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>When</th>
                    <th>Who</th>
                    <th>What</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {data.map((r) => (
                    <tr
                      key={r.id}
                      data-revision={r.id}
                      style={{
                        background: r.id === shown ? '#eef3fd' : undefined,
                        cursor: 'pointer',
                      }}
                      onClick={() => setSelected(r.id)}
                    >
                      <td>
                        r{r.id}{' '}
                        {r.id === current ? <span className="badge good">in force</span> : null}
                      </td>
                      <td>{formatTime(r.createdAt)}</td>
                      <td>{r.author}</td>
                      <td>
                        <span className="badge">{r.source.toLowerCase()}</span> {r.message}
                        {r.restoredFrom === null ? '' : ` (restores r${r.restoredFrom})`}
                        <div className="muted">{r.changes.length} resource(s)</div>
                      </td>
                      <td>
                        {r.id === current ? null : (
                          <Can atLeast="OPERATOR">
                            <ConfirmButton
                              label="Roll back"
                              question={`Put the configuration of revision ${r.id} back in force? This creates a new revision; proxies get it at once.`}
                              confirmLabel={`Roll back to r${r.id}`}
                              disabled={rollback.isPending}
                              onConfirm={() => rollback.mutate({ id: r.id })}
                            />
                          </Can>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <section className="panel" aria-label="Changes">
              <h2 style={{ marginTop: 0 }}>Changes in r{shown}</h2>
              <QueryView
                query={diff}
                what="the diff"
                isEmpty={(data) => data.length === 0}
                empty={<>No resource changed.</>}
              >
                {(data) => data.map((change) => <ResourceDiff key={change.key} change={change} />)}
              </QueryView>
            </section>
          </div>
        )}
      </QueryView>
    </>
  );
}
