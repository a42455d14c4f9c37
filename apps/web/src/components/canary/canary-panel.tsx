'use client';
// The canary slider: choose the share of the canary version, see the change, apply it, then watch
// it reach every proxy and the observed split converge to the requested one.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '~/trpc/react';
import type { RouterOutputs } from '~/trpc/types';
import { formatLatency, formatPercent } from '../format/numbers';
import { useCan } from '../shell/session';
import { PropagationStatus } from './propagation-status';
import { SplitBar } from './split-bar';
import { currentWeights, describeChange, sharesOf, weightsFor } from './weights';

type Route = RouterOutputs['routes']['get'];

/** Before any change: the observed split over this window. */
const DEFAULT_OBSERVE_SECONDS = 30;
/** Proxies apply a change within about this long; traffic before that is not the new split. */
const PROPAGATION_MARGIN_MS = 1_000;
const OBSERVE_POLL_MS = 2_000;

export function CanaryPanel({ route }: { route: Route }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCan('OPERATOR');
  const rule = route.splitRuleIndex === null ? undefined : route.rules[route.splitRuleIndex];
  const backends = rule?.backends ?? [];
  const versions = backends.flatMap((b) => (b.version === null ? [] : [b.version]));
  const before = currentWeights(backends);
  const beforeShares = sharesOf(before);
  const [stable, setStable] = useState(versions[0] ?? '');
  const [canary, setCanary] = useState(versions[1] ?? '');
  const [percent, setPercent] = useState(() => Math.round(beforeShares[versions[1] ?? ''] ?? 0));
  const [appliedAt, setAppliedAt] = useState<number | null>(null);
  // After a change the controller counts only its rollup buckets that begin after the change
  // (and the proxies' time to apply it), so the split shown is the new one alone.
  const observed = useQuery(
    trpc.telemetry.byVersion.queryOptions(
      appliedAt === null
        ? { service: route.service, windowSeconds: DEFAULT_OBSERVE_SECONDS }
        : { service: route.service, after: appliedAt + PROPAGATION_MARGIN_MS },
      { refetchInterval: OBSERVE_POLL_MS },
    ),
  );
  const apply = useMutation(
    trpc.routes.setCanaryWeights.mutationOptions({
      onSuccess: async () => {
        setAppliedAt(Date.now());
        await queryClient.invalidateQueries({ queryKey: trpc.routes.get.queryKey() });
      },
    }),
  );

  if (rule === undefined || versions.length < 2)
    return <p className="muted">This route has no rule that splits traffic between versions.</p>;

  const after = weightsFor(backends, stable, canary, percent);
  const changes = describeChange(before, after);
  // The figures of the window before the change are kept on screen until the new query answers.
  const observedFigures = observed.isPlaceholderData ? [] : (observed.data ?? []);
  const observedTotal = observedFigures.reduce((sum, v) => sum + v.requests, 0);
  const collecting = appliedAt !== null && observedTotal === 0;
  const observedShares = Object.fromEntries(
    observedFigures.map((v) => [
      v.version,
      observedTotal === 0 ? 0 : (100 * v.requests) / observedTotal,
    ]),
  );

  return (
    <section className="panel" aria-labelledby="canary-title" data-testid="canary-panel">
      <h2 id="canary-title" style={{ marginTop: 0 }}>
        Traffic split{rule.name === null ? '' : ` — rule "${rule.name}"`}
      </h2>
      <div className="row">
        <label>
          Stable{' '}
          <select value={stable} onChange={(e) => setStable(e.target.value)} disabled={!canEdit}>
            {versions.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <label>
          Canary{' '}
          <select value={canary} onChange={(e) => setCanary(e.target.value)} disabled={!canEdit}>
            {versions
              .filter((v) => v !== stable)
              .map((v) => (
                <option key={v}>{v}</option>
              ))}
          </select>
        </label>
      </div>
      {canEdit ? (
        <label style={{ display: 'block', margin: '0.75rem 0' }}>
          <span>
            {canary} gets <strong data-testid="canary-percent">{percent}%</strong>, {stable} gets{' '}
            {100 - percent}%
          </span>
          <input
            className="slider"
            type="range"
            min={0}
            max={100}
            step={1}
            value={percent}
            aria-label={`Share of traffic for the canary ${canary}`}
            aria-valuetext={`${percent}% to ${canary}`}
            data-testid="canary-slider"
            onChange={(e) => setPercent(Number(e.target.value))}
          />
        </label>
      ) : null}
      <div style={{ display: 'grid', gap: '0.5rem' }}>
        <SplitBar
          shares={beforeShares}
          versions={versions}
          label="In force"
          testId="split-current"
        />
        {canEdit ? (
          <SplitBar
            shares={sharesOf(after)}
            versions={versions}
            label="Requested"
            testId="split-requested"
          />
        ) : null}
        <SplitBar
          shares={observedShares}
          versions={versions}
          label={
            collecting
              ? 'Observed: collecting traffic since the change…'
              : `Observed ${appliedAt === null ? `over the last ${DEFAULT_OBSERVE_SECONDS} s` : 'since the change'} (${observedTotal} requests)`
          }
          testId="split-observed"
        />
      </div>
      {canEdit ? (
        <div className="row" style={{ marginTop: '0.75rem' }}>
          <div data-testid="canary-diff" className="mono">
            {changes.length === 0 ? <span className="muted">no change</span> : changes.join(' · ')}
          </div>
          <button
            type="button"
            disabled={changes.length === 0 || apply.isPending}
            onClick={() =>
              apply.mutate({ namespace: route.namespace, route: route.name, weights: after })
            }
          >
            {apply.isPending ? 'Applying…' : 'Apply'}
          </button>
        </div>
      ) : null}
      {apply.error === null ? null : <div className="form-error">{apply.error.message}</div>}
      {apply.data?.revision == null ? null : (
        <div style={{ marginTop: '0.5rem' }}>
          <PropagationStatus revision={apply.data.revision} />
        </div>
      )}
      <table style={{ marginTop: '0.75rem' }} data-testid="canary-versions">
        <thead>
          <tr>
            <th>Version</th>
            <th className="num">Requested</th>
            <th className="num">Observed</th>
            <th className="num">Success</th>
            <th className="num">p99</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => {
            const figures = observedFigures.find((v) => v.version === version);
            return (
              <tr key={version} data-version={version}>
                <td>{version}</td>
                <td className="num">{(beforeShares[version] ?? 0).toFixed(0)}%</td>
                <td className="num" data-testid={`observed-${version}`}>
                  {(observedShares[version] ?? 0).toFixed(1)}%
                </td>
                <td className="num">{formatPercent(figures?.successRate, 2)}</td>
                <td className="num">{formatLatency(figures?.p99)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
