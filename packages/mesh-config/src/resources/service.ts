// Service: a named workload group, its ports, its versions (subsets), the services it calls, and
// the objectives (SLOs) the console judges its golden metrics by.

import { z } from 'zod';
import { dnsLabel, duration, nonEmptyArray, port, ratio } from '../fields.ts';
import { resourceKind, serviceRef } from './meta.ts';

export const VERSION_LABEL = 'version';
/** The same bound as a Rollout's analysis.maxP99Latency, so one objective can feed both. */
const MAX_P99_OBJECTIVE_MS = 600_000;

export const serviceSpec = z.strictObject({
  protocol: z.literal('http', { error: 'must be "http"' }).default('http'),
  ports: nonEmptyArray(
    z.strictObject({
      name: dnsLabel.default('http'),
      port,
    }),
  ),
  versions: z
    .array(
      z.strictObject({
        name: dnsLabel,
        labels: z.record(z.string(), z.string()).optional(),
      }),
      { error: 'must be a list' },
    )
    .default([]),
  upstreams: z
    .array(
      z.strictObject({
        service: serviceRef,
        localPort: port.optional(),
      }),
      { error: 'must be a list' },
    )
    .default([]),
  /** What "healthy" means for calls to this service; the proxies' telemetry is judged by it. */
  objectives: z
    .strictObject({
      successRate: ratio.optional(),
      p99Latency: duration({ minMs: 1, maxMs: MAX_P99_OBJECTIVE_MS }).optional(),
    })
    .optional(),
});

export const serviceResource = resourceKind('Service', serviceSpec);
export type ServiceResource = z.infer<typeof serviceResource>;
