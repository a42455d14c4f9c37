// The workloads file of standalone mode: which proxies exist and where they accept mTLS.

import { z } from 'zod';
import { dnsLabel, port } from '../fields.ts';
import { API_VERSION } from '../resources/meta.ts';

export const workloadListSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { error: `must be "${API_VERSION}"` }),
  kind: z.literal('WorkloadList', { error: 'must be "WorkloadList"' }),
  workloads: z.array(
    z.strictObject({
      id: z.string().min(1, { error: 'must not be empty' }),
      service: dnsLabel,
      namespace: dnsLabel.default('default'),
      version: dnsLabel.optional(),
      labels: z.record(z.string(), z.string()).optional(),
      address: z.string().min(1, { error: 'must be an address the other proxies can reach' }),
      port,
    }),
    { error: 'must be a list' },
  ),
});
export type WorkloadList = z.infer<typeof workloadListSchema>;
