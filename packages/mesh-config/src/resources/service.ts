// Service: a named workload group, its ports, its versions (subsets), and the services it calls.

import { z } from 'zod';
import { dnsLabel, nonEmptyArray, port } from '../fields.ts';
import { resourceKind, serviceRef } from './meta.ts';

export const VERSION_LABEL = 'version';

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
});

export const serviceResource = resourceKind('Service', serviceSpec);
export type ServiceResource = z.infer<typeof serviceResource>;
