// Rollout: a canary that moves traffic step by step and is judged by the mesh's own telemetry.

import { z } from 'zod';
import { dnsLabel, duration, nonEmptyArray, nonNegativeInt, ratio, weight } from '../fields.ts';
import { resourceKind } from './meta.ts';

const step = z.union(
  [
    z.strictObject({ setWeight: weight.max(100, { error: 'must be a percentage from 0 to 100' }) }),
    z.strictObject({
      pause: z.strictObject({
        duration: duration({ minMs: 1_000, maxMs: 7 * 86_400_000 }).optional(),
      }),
    }),
  ],
  {
    error:
      'must be either {setWeight: N} or {pause: {duration?}} (a pause without duration waits for an operator)',
  },
);
export type RolloutStep = z.infer<typeof step>;

export const rolloutSpec = z.strictObject({
  service: dnsLabel,
  route: dnsLabel.optional(),
  stableVersion: dnsLabel,
  canaryVersion: dnsLabel,
  steps: nonEmptyArray(step),
  analysis: z
    .strictObject({
      interval: duration({ minMs: 1_000, maxMs: 3_600_000 }),
      minSuccessRate: ratio.optional(),
      maxP99Latency: duration({ minMs: 1, maxMs: 600_000 }).optional(),
      minRequests: nonNegativeInt(100_000_000).optional(),
      failureLimit: nonNegativeInt(100).optional(),
    })
    .optional(),
  rollbackOnFailure: z.boolean({ error: 'must be true or false' }).default(true),
});

export const rolloutResource = resourceKind('Rollout', rolloutSpec);
export type RolloutResource = z.infer<typeof rolloutResource>;
