'use client';
// Overview: the mesh's golden numbers, and what needs attention now.

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import {
  formatDuration,
  formatLatency,
  formatPercent,
  formatRate,
} from '~/components/format/numbers';
import { PageHeader } from '~/components/page-header';
import { Stat } from '~/components/stat';
import { ErrorState, Loading } from '~/components/states';
import { LIVE_REFRESH_MS } from '~/trpc/query-client';
import { useTRPC } from '~/trpc/react';

const WINDOW_SECONDS = 300;
/** A workload certificate is worth a look when less than this is left (renewal should have run). */
const LEAF_WARNING_SECONDS = 4 * 3_600;
/** A CA certificate needs planning a month ahead. */
const CA_WARNING_SECONDS = 30 * 86_400;

export default function OverviewPage() {
  const trpc = useTRPC();
  const live = { refetchInterval: LIVE_REFRESH_MS };
  const overview = useQuery(
    trpc.telemetry.overview.queryOptions({ windowSeconds: WINDOW_SECONDS }, live),
  );
  const proxies = useQuery(trpc.proxies.list.queryOptions(undefined, live));
  const certificates = useQuery(trpc.certificates.inventory.queryOptions(undefined, live));
  const rollouts = useQuery(trpc.rollouts.list.queryOptions(undefined, live));

  const unhealthyProxies = (proxies.data ?? []).filter((p) => p.syncState !== 'SYNCED');
  const missedObjectives = (overview.data?.services ?? []).filter(
    (s) => s.meetsObjective === false,
  );
  const expiring = [
    ...(certificates.data?.workloads ?? []).filter(
      (c) => c.status === 'VALID' && c.secondsToExpiry < LEAF_WARNING_SECONDS,
    ),
    ...[...(certificates.data?.intermediates ?? []), ...(certificates.data?.roots ?? [])].filter(
      (c) => c.status === 'VALID' && c.secondsToExpiry < CA_WARNING_SECONDS,
    ),
  ];
  const failedRollouts = (rollouts.data ?? []).filter(
    (r) => r.phase === 'ROLLED_BACK' || r.phase === 'FAILED',
  );

  return (
    <>
      <PageHeader
        title="Overview"
        subtitle={`Calls between services over the last ${WINDOW_SECONDS / 60} minutes`}
      />
      {overview.isError ? <ErrorState error={overview.error} what="golden metrics" /> : null}
      <div className="grid-3">
        <Stat
          label="Requests"
          value={formatRate(overview.data?.requestsPerSecond)}
          testId="mesh-rps"
        />
        <Stat
          label="Success rate"
          value={formatPercent(overview.data?.successRate, 2)}
          testId="mesh-success"
        />
        <Stat label="p99 latency" value={formatLatency(overview.data?.p99)} testId="mesh-p99" />
      </div>

      <section className="panel" aria-labelledby="attention">
        <h2 id="attention">Needs attention</h2>
        {overview.isPending || proxies.isPending || certificates.isPending ? (
          <Loading what="fleet state" />
        ) : (
          <ul className="attention" data-testid="attention">
            {missedObjectives.map((s) => (
              <li key={s.id}>
                <span className="badge bad">objective</span>{' '}
                <Link href={`/services/${s.id}`}>{s.id}</Link>: success{' '}
                {formatPercent(s.successRate, 2)}
                {s.objective?.minSuccessRate == null
                  ? ''
                  : ` (objective ${formatPercent(s.objective.minSuccessRate)})`}
                , p99 {formatLatency(s.p99)}
                {s.objective?.maxP99Ms == null
                  ? ''
                  : ` (objective ${formatLatency(s.objective.maxP99Ms)})`}
              </li>
            ))}
            {unhealthyProxies.map((p) => (
              <li key={p.id}>
                <span className={`badge ${p.syncState}`}>{p.syncState}</span>{' '}
                <Link href="/proxies">{p.id}</Link>
                {p.nackError === null ? '' : `: ${p.nackError}`}
              </li>
            ))}
            {expiring.map((c) => (
              <li key={c.serial}>
                <span className="badge warn">expires</span>{' '}
                <Link href="/certificates">
                  {c.kind === 'LEAF' ? c.identity : `${c.kind.toLowerCase()} CA`}
                </Link>{' '}
                in {formatDuration(c.secondsToExpiry * 1_000)}
              </li>
            ))}
            {failedRollouts.map((r) => (
              <li key={r.id}>
                <span className="badge bad">{r.phase.toLowerCase().replace('_', ' ')}</span>{' '}
                <Link href="/rollouts">rollout of {r.service}</Link>: {r.reason}
              </li>
            ))}
            {missedObjectives.length +
              unhealthyProxies.length +
              expiring.length +
              failedRollouts.length ===
            0 ? (
              <li className="muted">
                Nothing: every proxy is in sync, objectives are met, no certificate is close to
                expiry.
              </li>
            ) : null}
          </ul>
        )}
      </section>

      <section className="panel" aria-labelledby="services-now">
        <h2 id="services-now">Services</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Service</th>
                <th className="num">Requests</th>
                <th className="num">Success</th>
                <th className="num">p50</th>
                <th className="num">p99</th>
                <th>Objective</th>
              </tr>
            </thead>
            <tbody>
              {(overview.data?.services ?? []).map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link href={`/services/${s.id}`}>{s.id}</Link>
                  </td>
                  <td className="num">{formatRate(s.requestsPerSecond)}</td>
                  <td className="num">{formatPercent(s.successRate, 2)}</td>
                  <td className="num">{formatLatency(s.p50)}</td>
                  <td className="num">{formatLatency(s.p99)}</td>
                  <td>
                    {s.meetsObjective === null ? (
                      <span className="muted">none</span>
                    ) : (
                      <span className={`badge ${s.meetsObjective ? 'good' : 'bad'}`}>
                        {s.meetsObjective ? 'met' : 'missed'}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
