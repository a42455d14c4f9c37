'use client';
// A rollout's analyses over time: canary against stable, success rate and p99, with the
// thresholds the canary is held to.

import type { RouterOutputs } from '~/trpc/types';
import { SERIES_COLOURS, TimeSeriesChart } from '../charts/time-series-chart';
import { formatLatency, formatPercent } from '../format/numbers';

type Rollout = RouterOutputs['rollouts']['list'][number];

export function AnalysisCharts({ rollout }: { rollout: Rollout }) {
  const rows = rollout.analyses.map((a) => ({
    t: Date.parse(a.at),
    canarySuccess: a.canary.successRate,
    stableSuccess: a.stable.successRate,
    canaryP99: a.canary.p99Ms,
    stableP99: a.stable.p99Ms,
    minSuccess: rollout.analysis?.minSuccessRate ?? null,
    maxP99: rollout.analysis?.maxP99LatencyMs ?? null,
  }));
  const canary = {
    label: `canary ${rollout.canaryVersion}`,
    colour: SERIES_COLOURS[1] ?? '#d9822b',
  };
  const stable = {
    label: `stable ${rollout.stableVersion}`,
    colour: SERIES_COLOURS[0] ?? '#3461c1',
  };
  return (
    <div className="grid-2">
      <TimeSeriesChart
        title="Success rate"
        rows={rows}
        lines={[
          { key: 'canarySuccess', ...canary },
          { key: 'stableSuccess', ...stable },
          { key: 'minSuccess', label: 'objective', colour: '#9aa3ad' },
        ]}
        format={(v) => formatPercent(v)}
        testId="analysis-success"
      />
      <TimeSeriesChart
        title="p99 latency"
        rows={rows}
        lines={[
          { key: 'canaryP99', ...canary },
          { key: 'stableP99', ...stable },
          { key: 'maxP99', label: 'limit', colour: '#9aa3ad' },
        ]}
        format={formatLatency}
        testId="analysis-p99"
      />
    </div>
  );
}
