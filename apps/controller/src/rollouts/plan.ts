// What a rollout run follows: the Rollout resource with the route and versions chosen at start,
// durations in milliseconds and thresholds with their defaults. Stored with the run as JSON, so
// editing the Rollout later does not change a run under way.

import { formatDuration, parseDuration, type RolloutResource } from '@weft/mesh-config';
import { z } from 'zod';

/** Without failureLimit the first failed analysis ends the run; 0 means the same. */
export const DEFAULT_FAILURE_LIMIT = 1;
/** Without minRequests one canary request is enough to judge; none is inconclusive. */
export const DEFAULT_MIN_REQUESTS = 1;

const version = z.string().min(1).max(63);

export const planStep = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('weight'), weight: z.number().int().min(0).max(100) }),
  /** durationMs null: a gate that waits for an operator. */
  z.strictObject({ kind: z.literal('pause'), durationMs: z.number().int().positive().nullable() }),
]);
export type PlanStep = z.infer<typeof planStep>;

export const analysisPolicy = z.strictObject({
  intervalMs: z.number().int().positive(),
  minSuccessRate: z.number().min(0).max(1).nullable(),
  maxP99LatencyMs: z.number().positive().nullable(),
  minRequests: z.number().int().min(1),
  failureLimit: z.number().int().min(1),
});
export type AnalysisPolicy = z.infer<typeof analysisPolicy>;

export const rolloutPlan = z.strictObject({
  namespace: z.string().min(1),
  service: z.string().min(1),
  /** The Rollout resource's name. */
  rollout: z.string().min(1),
  route: z.string().min(1),
  stableVersion: version,
  canaryVersion: version,
  steps: z.array(planStep).min(1),
  analysis: analysisPolicy.nullable(),
  rollbackOnFailure: z.boolean(),
});
export type RolloutPlan = z.infer<typeof rolloutPlan>;

/** The resource was validated when it was applied: a bad duration here is a programming error. */
function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`unvalidated duration ${JSON.stringify(text)}`);
  return ms;
}

export function planOf(
  resource: RolloutResource,
  choice: { route: string; stableVersion: string; canaryVersion: string },
): RolloutPlan {
  const { spec } = resource;
  const analysis = spec.analysis;
  return {
    namespace: resource.metadata.namespace,
    service: spec.service,
    rollout: resource.metadata.name,
    route: choice.route,
    stableVersion: choice.stableVersion,
    canaryVersion: choice.canaryVersion,
    steps: spec.steps.map((step) =>
      'setWeight' in step
        ? { kind: 'weight', weight: step.setWeight }
        : {
            kind: 'pause',
            durationMs: step.pause.duration === undefined ? null : durationMs(step.pause.duration),
          },
    ),
    analysis:
      analysis === undefined
        ? null
        : {
            intervalMs: durationMs(analysis.interval),
            minSuccessRate: analysis.minSuccessRate ?? null,
            maxP99LatencyMs:
              analysis.maxP99Latency === undefined ? null : durationMs(analysis.maxP99Latency),
            minRequests: Math.max(1, analysis.minRequests ?? DEFAULT_MIN_REQUESTS),
            failureLimit: Math.max(1, analysis.failureLimit ?? DEFAULT_FAILURE_LIMIT),
          },
    rollbackOnFailure: spec.rollbackOnFailure,
  };
}

/** "setWeight 30", "pause 20s", "pause until resumed". */
export function describeStep(step: PlanStep): string {
  if (step.kind === 'weight') return `setWeight ${step.weight}`;
  return step.durationMs === null
    ? 'pause until resumed'
    : `pause ${formatDuration(step.durationMs)}`;
}
