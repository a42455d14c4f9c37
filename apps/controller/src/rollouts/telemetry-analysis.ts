// An analysis from the controller's own telemetry: the canary's and the stable version's calls
// over the analysis interval, merged from the rollups their own proxies reported for callers they
// verified (the destination side, as Flagger queries Istio: a caller's report, which any workload
// can send about any service, moves no verdict), judged by analysis.ts.

import type { TelemetryRepository } from '../repositories/telemetry.ts';
import { type AnalysisResult, judge, type VersionCounts } from './analysis.ts';
import type { RolloutPlan } from './plan.ts';
import type { RunState } from './state-machine.ts';

export async function analyzeFromTelemetry(
  telemetry: TelemetryRepository,
  plan: RolloutPlan,
  state: RunState,
  now: Date,
): Promise<AnalysisResult> {
  if (plan.analysis === null) throw new Error('analyzeFromTelemetry needs an analysis policy');
  // Rollups are buckets named by their start: every bucket that overlaps the interval counts,
  // or an interval shorter than a bucket would see nothing of the bucket still filling.
  const bucketMs = telemetry.bucketSeconds * 1_000;
  const since = Math.floor((now.getTime() - plan.analysis.intervalMs) / bucketMs) * bucketMs;
  const figures = await telemetry.verifiedByVersion(
    `${plan.namespace}/${plan.service}`,
    new Date(since),
  );
  const countsOf = (version: string): VersionCounts => {
    const found = figures.find((f) => f.version === version);
    if (found === undefined || found.requests === 0)
      return { version, requests: 0, errors: 0, p99Ms: null };
    const p99 = found.latency.quantile(0.99);
    return {
      version,
      requests: found.requests,
      errors: found.errors,
      p99Ms: Number.isNaN(p99) ? null : p99,
    };
  };
  return judge(plan.analysis, {
    at: now,
    stepIndex: state.stepIndex,
    canaryWeight: state.canaryWeight,
    canary: countsOf(plan.canaryVersion),
    stable: countsOf(plan.stableVersion),
  });
}
