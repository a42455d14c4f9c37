// One analysis of a canary: its figures over the interval judged against the Rollout's
// thresholds, with the stable version's figures beside them. Pure: counts in, verdict out.

import { z } from 'zod';
import type { AnalysisPolicy } from './plan.ts';

export const versionSample = z.strictObject({
  version: z.string(),
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  /** null without requests. */
  successRate: z.number().min(0).max(1).nullable(),
  p99Ms: z.number().nonnegative().nullable(),
});
export type VersionSample = z.infer<typeof versionSample>;

export const analysisResult = z.strictObject({
  /** ISO time the analysis was made. */
  at: z.string(),
  windowSeconds: z.number().positive(),
  /** The step in progress (index) and the canary's weight when it was made. */
  stepIndex: z.number().int(),
  canaryWeight: z.number().int(),
  /** inconclusive: too few canary requests to judge; neither a pass nor a failure. */
  verdict: z.enum(['passed', 'failed', 'inconclusive']),
  canary: versionSample,
  stable: versionSample,
  /** Why it failed or could not judge, one sentence per threshold. */
  reasons: z.array(z.string()),
});
export type AnalysisResult = z.infer<typeof analysisResult>;

/** What the telemetry says about one version over the window. */
export interface VersionCounts {
  readonly version: string;
  readonly requests: number;
  readonly errors: number;
  /** null when the version served nothing. */
  readonly p99Ms: number | null;
}

export function sampleOf(counts: VersionCounts): VersionSample {
  return {
    version: counts.version,
    requests: counts.requests,
    errors: counts.errors,
    successRate: counts.requests === 0 ? null : (counts.requests - counts.errors) / counts.requests,
    p99Ms: counts.requests === 0 ? null : counts.p99Ms,
  };
}

export const formatMs = (ms: number): string =>
  ms >= 10 ? `${Math.round(ms)} ms` : `${Number(ms.toFixed(1))} ms`;
export const formatRate = (rate: number): string => `${(rate * 100).toFixed(1)}%`;
const formatSeconds = (seconds: number): string => `${Number(seconds.toFixed(1))} s`;

export function judge(
  policy: AnalysisPolicy,
  input: {
    readonly at: Date;
    readonly stepIndex: number;
    readonly canaryWeight: number;
    readonly canary: VersionCounts;
    readonly stable: VersionCounts;
  },
): AnalysisResult {
  const canary = sampleOf(input.canary);
  const stable = sampleOf(input.stable);
  const windowSeconds = policy.intervalMs / 1_000;
  const over = `over ${formatSeconds(windowSeconds)}`;
  const base = {
    at: input.at.toISOString(),
    windowSeconds,
    stepIndex: input.stepIndex,
    canaryWeight: input.canaryWeight,
    canary,
    stable,
  };
  if (canary.requests < policy.minRequests) {
    return {
      ...base,
      verdict: 'inconclusive',
      reasons: [
        `canary ${canary.version} served ${canary.requests} request(s) ${over}, fewer than the ${policy.minRequests} needed to judge (stable ${stable.version}: ${stable.requests})`,
      ],
    };
  }
  const reasons: string[] = [];
  if (
    policy.minSuccessRate !== null &&
    canary.successRate !== null &&
    canary.successRate < policy.minSuccessRate
  ) {
    const stableRate = stable.successRate === null ? 'no requests' : formatRate(stable.successRate);
    reasons.push(
      `canary ${canary.version} success rate ${formatRate(canary.successRate)} < ${formatRate(policy.minSuccessRate)} ${over} (stable ${stableRate})`,
    );
  }
  if (
    policy.maxP99LatencyMs !== null &&
    canary.p99Ms !== null &&
    canary.p99Ms > policy.maxP99LatencyMs
  ) {
    const stableP99 = stable.p99Ms === null ? 'no requests' : `p99 ${formatMs(stable.p99Ms)}`;
    reasons.push(
      `canary ${canary.version} p99 ${formatMs(canary.p99Ms)} > ${formatMs(policy.maxP99LatencyMs)} ${over} (stable ${stableP99})`,
    );
  }
  return { ...base, verdict: reasons.length === 0 ? 'passed' : 'failed', reasons };
}
