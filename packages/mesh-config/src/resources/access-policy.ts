// AccessPolicy: who may call a service (by SPIFFE identity, service or namespace), on which paths and methods.

import { z } from 'zod';
import { dnsLabel, httpMethod, nonEmptyArray } from '../fields.ts';
import { resourceKind, serviceRef } from './meta.ts';

const SPIFFE_ID = /^spiffe:\/\/[a-z0-9.-]+(\/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)+$/;

const source = z.union(
  [
    z.strictObject({ service: dnsLabel, namespace: dnsLabel.optional() }),
    z.strictObject({ namespace: dnsLabel }),
    z.strictObject({
      identity: z.string({ error: 'must be a SPIFFE ID' }).regex(SPIFFE_ID, {
        error: 'must be a SPIFFE ID such as "spiffe://weft.local/ns/shop/sa/frontend"',
      }),
    }),
  ],
  {
    error:
      'must name one of "service" (with optional "namespace"), "namespace" alone, or "identity"',
  },
);
export type AccessSource = z.infer<typeof source>;

const pathPattern = z
  .string({ error: 'must be a path such as "/api/" or "/api/*"' })
  .regex(/^\/[^*]*\*?$/, { error: 'must start with "/" and may only end with "*"' });

export const accessPolicySpec = z.strictObject({
  targetRef: serviceRef,
  action: z.enum(['allow', 'deny'], { error: 'must be allow or deny' }),
  from: nonEmptyArray(source),
  paths: z.array(pathPattern, { error: 'must be a list' }).optional(),
  methods: z.array(httpMethod, { error: 'must be a list' }).optional(),
});

export const accessPolicyResource = resourceKind('AccessPolicy', accessPolicySpec);
export type AccessPolicyResource = z.infer<typeof accessPolicyResource>;
