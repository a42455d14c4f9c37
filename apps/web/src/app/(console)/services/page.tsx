'use client';
// The service registry: every service, its versions, routes and registered instances.

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { LIVE_REFRESH_MS } from '~/trpc/query-client';
import { useTRPC } from '~/trpc/react';

export default function ServicesPage() {
  const trpc = useTRPC();
  const [search, setSearch] = useState('');
  const services = useQuery(
    trpc.services.list.queryOptions(undefined, { refetchInterval: LIVE_REFRESH_MS }),
  );
  const shown = (services.data ?? []).filter((s) => s.id.includes(search.trim().toLowerCase()));
  return (
    <>
      <PageHeader
        title="Services"
        subtitle="Registered workloads by service and version"
        actions={
          <input
            type="search"
            placeholder="Filter"
            aria-label="Filter services"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        }
      />
      <QueryView
        query={services}
        what="services"
        isEmpty={(data) => data.length === 0}
        empty={<>No services yet: apply a mesh configuration with `weft apply`.</>}
      >
        {() => (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Service</th>
                  <th>Versions (instances)</th>
                  <th>Calls</th>
                  <th>Routes</th>
                  <th>Ports</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link href={`/services/${s.id}`}>{s.id}</Link>
                    </td>
                    <td>
                      {s.versions.map((v) => `${v} (${s.instancesByVersion[v] ?? 0})`).join(', ') ||
                        '—'}
                    </td>
                    <td>{s.upstreams.join(', ') || '—'}</td>
                    <td>
                      {s.routes.map((r) => (
                        <Link
                          key={r}
                          href={`/routes/${s.namespace}/${r}`}
                          style={{ marginRight: '0.5rem' }}
                        >
                          {r}
                        </Link>
                      ))}
                    </td>
                    <td className="mono">{s.ports.join(', ')}</td>
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
