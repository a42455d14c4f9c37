'use client';
// One route: its rules in order of precedence, and the canary slider on its weighted rule.

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { CanaryPanel } from '~/components/canary/canary-panel';
import { formatLatency } from '~/components/format/numbers';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { RouteEditor } from '~/components/routes/route-editor';
import { Can } from '~/components/shell/session';
import { LIVE_REFRESH_MS } from '~/trpc/query-client';
import { useTRPC } from '~/trpc/react';

export default function RoutePage() {
  const { namespace, name } = useParams<{ namespace: string; name: string }>();
  const trpc = useTRPC();
  const route = useQuery(
    trpc.routes.get.queryOptions({ namespace, name }, { refetchInterval: LIVE_REFRESH_MS }),
  );
  return (
    <>
      <PageHeader
        title={`Route ${namespace}/${name}`}
        subtitle={
          route.data === undefined ? (
            ' '
          ) : (
            <>
              for <Link href={`/services/${route.data.service}`}>{route.data.service}</Link>
            </>
          )
        }
      />
      <QueryView query={route} what={`route ${namespace}/${name}`}>
        {(data) => (
          <>
            <CanaryPanel route={data} />
            <h2>Rules, first match wins</h2>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Name</th>
                    <th>Matches</th>
                    <th>Backends</th>
                    <th className="num">Timeout</th>
                    <th className="num">Retries</th>
                  </tr>
                </thead>
                <tbody>
                  {data.rules.map((rule) => (
                    <tr key={rule.index}>
                      <td>{rule.index + 1}</td>
                      <td>{rule.name ?? <span className="muted">unnamed</span>}</td>
                      <td className="mono">{rule.matches.join(', ') || 'everything'}</td>
                      <td className="mono">
                        {rule.backends
                          .map(
                            (b) =>
                              `${b.service}${b.version === null ? '' : `@${b.version}`} ×${b.weight}`,
                          )
                          .join(', ')}
                      </td>
                      <td className="num">{formatLatency(rule.timeoutMs)}</td>
                      <td className="num">{rule.retryAttempts ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Can atLeast="OPERATOR">
              <RouteEditor route={data} />
            </Can>
          </>
        )}
      </QueryView>
    </>
  );
}
