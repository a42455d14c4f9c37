'use client';
// One service over time: req/s, success rate and percentiles per version, with markers where a
// configuration revision was applied, and its versions side by side.

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { rowsByVersion, rowsOfTotal } from '~/components/charts/series-rows';
import { SERIES_COLOURS, TimeSeriesChart } from '~/components/charts/time-series-chart';
import { formatLatency, formatPercent, formatRate } from '~/components/format/numbers';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { ErrorState } from '~/components/states';
import { VersionsTable } from '~/components/versions-table';
import { WindowSelect } from '~/components/window-select';
import { LIVE_REFRESH_MS } from '~/trpc/query-client';
import { useTRPC } from '~/trpc/react';

const PERCENTILE_COLOURS = { p50: '#2f9e6e', p90: '#d9822b', p99: '#d6453d' } as const;

export default function ServicePage() {
  const { namespace, name } = useParams<{ namespace: string; name: string }>();
  const service = `${namespace}/${name}`;
  const trpc = useTRPC();
  const [windowSeconds, setWindowSeconds] = useState(900);
  const live = { refetchInterval: LIVE_REFRESH_MS };
  const details = useQuery(trpc.services.get.queryOptions({ service }));
  const series = useQuery(trpc.telemetry.series.queryOptions({ service, windowSeconds }, live));
  const versions = useQuery(
    trpc.telemetry.byVersion.queryOptions({ service, windowSeconds }, live),
  );
  const revisions = useQuery(trpc.revisions.list.queryOptions({ limit: 100 }, live));

  const since = Date.now() - windowSeconds * 1_000;
  const markers = (revisions.data ?? [])
    .filter((r) => r.createdAt.getTime() >= since)
    .map((r) => ({ t: r.createdAt.getTime(), label: `r${r.id}` }));
  const lines = (series.data?.versions ?? []).map((v, i) => ({
    key: v.version,
    label: v.version,
    colour: SERIES_COLOURS[i % SERIES_COLOURS.length] ?? '#3461c1',
  }));

  return (
    <>
      <PageHeader
        title={service}
        subtitle={
          details.data === undefined
            ? ' '
            : `versions ${details.data.versions.join(', ') || 'none'} · ${details.data.instances} instance(s) · routes ${details.data.routes.join(', ') || 'none'}`
        }
        actions={<WindowSelect value={windowSeconds} onChange={setWindowSeconds} />}
      />
      {details.isError ? <ErrorState error={details.error} what={service} /> : null}
      <QueryView query={series} what="the time series">
        {(data) => (
          <div className="grid-2">
            <TimeSeriesChart
              title="Requests per second, by version"
              rows={rowsByVersion(data, 'requestsPerSecond')}
              lines={lines}
              format={formatRate}
              markers={markers}
              testId="chart-rps"
            />
            <TimeSeriesChart
              title="Success rate, by version"
              rows={rowsByVersion(data, 'successRate')}
              lines={lines}
              format={(v) => formatPercent(v)}
              markers={markers}
              testId="chart-success"
            />
            <TimeSeriesChart
              title="Latency percentiles, all versions"
              rows={rowsOfTotal(data, ['p50', 'p90', 'p99'])}
              lines={Object.entries(PERCENTILE_COLOURS).map(([key, colour]) => ({
                key,
                label: key,
                colour,
              }))}
              format={formatLatency}
              markers={markers}
              testId="chart-latency"
            />
            <TimeSeriesChart
              title="p99 latency, by version"
              rows={rowsByVersion(data, 'p99')}
              lines={lines}
              format={formatLatency}
              markers={markers}
              testId="chart-p99-versions"
            />
          </div>
        )}
      </QueryView>
      <h2>Versions side by side</h2>
      <QueryView query={versions} what="versions">
        {(data) => <VersionsTable versions={data} testId="versions-table" />}
      </QueryView>
      {details.data === undefined || details.data.routes.length === 0 ? null : (
        <p>
          Routes:{' '}
          {details.data.routes.map((route) => (
            <Link
              key={route}
              href={`/routes/${namespace}/${route}`}
              style={{ marginRight: '0.75rem' }}
            >
              {route}
            </Link>
          ))}
        </p>
      )}
    </>
  );
}
