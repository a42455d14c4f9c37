'use client';
// The audit log: who did what to which resource, when, and whether it was allowed.

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatTime } from '~/components/format/numbers';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { LIVE_REFRESH_MS } from '~/trpc/query-client';
import { useTRPC } from '~/trpc/react';

const PAGE_SIZE = 100;

export default function AuditPage() {
  const trpc = useTRPC();
  const [before, setBefore] = useState<number | undefined>(undefined);
  const entries = useQuery(
    trpc.audit.list.queryOptions(
      before === undefined ? { limit: PAGE_SIZE } : { limit: PAGE_SIZE, before },
      {
        refetchInterval: before === undefined ? LIVE_REFRESH_MS : false,
      },
    ),
  );
  const oldest = entries.data?.at(-1)?.id;
  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every change and every refused attempt, newest first"
        actions={
          <>
            <button
              type="button"
              className="secondary"
              disabled={before === undefined}
              onClick={() => setBefore(undefined)}
            >
              Newest
            </button>
            <button
              type="button"
              className="secondary"
              disabled={oldest === undefined || (entries.data?.length ?? 0) < PAGE_SIZE}
              onClick={() => setBefore(oldest)}
            >
              Older
            </button>
          </>
        }
      />
      <QueryView
        query={entries}
        what="the audit log"
        isEmpty={(data) => data.length === 0}
        empty={<>Nothing recorded yet.</>}
      >
        {(data) => (
          <div className="table-wrap">
            <table data-testid="audit">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Who</th>
                  <th>Action</th>
                  <th>Target</th>
                  <th>Outcome</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {data.map((e) => (
                  <tr key={e.id}>
                    <td style={{ whiteSpace: 'nowrap' }}>{formatTime(e.at)}</td>
                    <td>{e.actor}</td>
                    <td className="mono">{e.action}</td>
                    <td className="mono">{e.target}</td>
                    <td>
                      <span className={`badge ${e.outcome}`}>{e.outcome}</span>
                    </td>
                    <td className="mono" style={{ maxWidth: 360, overflowWrap: 'anywhere' }}>
                      {Object.keys(e.detail).length === 0 ? '' : JSON.stringify(e.detail)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </>
  );
}
