// TrafficPolicy: how callers treat one destination (balancing, pool limits, outlier ejection, rate limit).

import { z } from 'zod';
import { duration, percent, positiveInt } from '../fields.ts';
import { resourceKind, serviceRef } from './meta.ts';

export const LOAD_BALANCERS = ['leastRequest', 'roundRobin', 'random'] as const;

export const trafficPolicySpec = z.strictObject({
  targetRef: serviceRef,
  loadBalancer: z
    .strictObject({
      type: z.enum(LOAD_BALANCERS, { error: `must be one of ${LOAD_BALANCERS.join(', ')}` }),
    })
    .optional(),
  connectionPool: z
    .strictObject({
      maxConnections: positiveInt(100_000).optional(),
      maxPendingRequests: positiveInt(1_000_000).optional(),
      maxRequests: positiveInt(1_000_000).optional(),
      connectTimeout: duration({ minMs: 1, maxMs: 60_000 }).optional(),
      idleTimeout: duration({ minMs: 1_000, maxMs: 3_600_000 }).optional(),
    })
    .optional(),
  outlierDetection: z
    .strictObject({
      consecutive5xxErrors: positiveInt(1_000).optional(),
      consecutiveGatewayErrors: positiveInt(1_000).optional(),
      interval: duration({ minMs: 100, maxMs: 3_600_000 }).optional(),
      baseEjectionTime: duration({ minMs: 100, maxMs: 3_600_000 }).optional(),
      maxEjectionPercent: percent.optional(),
    })
    .optional(),
  rateLimit: z
    .strictObject({
      requestsPerSecond: positiveInt(1_000_000),
      burst: positiveInt(1_000_000).optional(),
    })
    .optional(),
});

export const trafficPolicyResource = resourceKind('TrafficPolicy', trafficPolicySpec);
export type TrafficPolicyResource = z.infer<typeof trafficPolicyResource>;
