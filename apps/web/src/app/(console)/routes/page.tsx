'use client';
// Every HTTPRoute in force, with its rules, and which of them a canary slider can move.

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { useTRPC } from '~/trpc/react';

export default function RoutesPage() {
  const trpc = useTRPC();
  const routes = useQuery(trpc.routes.list.queryOptions());
  return (
    <>
      <PageHeader
        title="Routes & canary"
        subtitle="HTTPRoutes in force; open one to move its traffic split"
      />
      <QueryView
        query={routes}
        what="routes"
        isEmpty={(data) => data.length === 0}
        empty={<>No HTTPRoutes yet.</>}
      >
        {(data) => (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Route</th>
                  <th>Service</th>
                  <th>Rules</th>
                  <th>Split</th>
                </tr>
              </thead>
              <tbody>
                {data.map((route) => {
                  const split =
                    route.splitRuleIndex === null ? undefined : route.rules[route.splitRuleIndex];
                  return (
                    <tr key={`${route.namespace}/${route.name}`}>
                      <td>
                        <Link href={`/routes/${route.namespace}/${route.name}`}>
                          {route.namespace}/{route.name}
                        </Link>
                      </td>
                      <td>{route.service}</td>
                      <td>{route.rules.length}</td>
                      <td className="mono">
                        {split === undefined
                          ? '—'
                          : split.backends
                              .map((b) => `${b.version ?? b.service} ${b.weight}`)
                              .join(' / ')}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </>
  );
}
