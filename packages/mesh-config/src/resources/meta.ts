// The envelope every Weft document shares: apiVersion, kind, metadata.

import { z } from 'zod';
import { dnsLabel } from '../fields.ts';

export const API_VERSION = 'weft.dev/v1alpha1';
export const DEFAULT_NAMESPACE = 'default';

export const apiVersion = z.literal(API_VERSION, { error: `must be "${API_VERSION}"` });

export const namespacedMetadata = z.strictObject(
  {
    name: dnsLabel,
    namespace: dnsLabel.default(DEFAULT_NAMESPACE),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  },
  { error: 'must be a mapping with at least "name"' },
);

/** Builds the schema of one kind: the envelope around its spec. */
export function resourceKind<K extends string, S extends z.ZodType>(kind: K, spec: S) {
  return z.strictObject({
    apiVersion,
    kind: z.literal(kind),
    metadata: namespacedMetadata,
    spec,
  });
}

/** A reference to a service, in the route's or policy's own namespace unless it names another. */
export const serviceRef = z.strictObject(
  { name: dnsLabel, namespace: dnsLabel.optional() },
  { error: 'must be a mapping with "name" (and optionally "namespace")' },
);
export type ServiceRef = z.infer<typeof serviceRef>;
