// Mesh: the settings every proxy shares (trust domain, mTLS mode, defaults, certificate lifetimes).

import { z } from 'zod';
import { duration, ratio } from '../fields.ts';
import { resourceKind } from './meta.ts';
import { retrySettings } from './retry.ts';

const TRUST_DOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const meshSpec = z.strictObject({
  trustDomain: z
    .string({ error: 'must be a trust domain such as "weft.local"' })
    .max(255, { error: 'must be at most 255 characters' })
    .regex(TRUST_DOMAIN, {
      error: 'must be lowercase letters, digits, "-" and "." (a DNS name such as "weft.local")',
    }),
  mtls: z
    .strictObject({
      mode: z.enum(['STRICT', 'PERMISSIVE'], { error: 'must be STRICT or PERMISSIVE' }),
    })
    .default({ mode: 'STRICT' }),
  defaults: z
    .strictObject({
      timeout: duration({ minMs: 1, maxMs: 3_600_000 }).optional(),
      retry: retrySettings.optional(),
    })
    .optional(),
  certificates: z
    .strictObject({
      lifetime: duration({ minMs: 600_000, maxMs: 90 * 86_400_000 }).optional(),
      rotateAfter: ratio.optional(),
    })
    .optional(),
  access: z
    .strictObject({
      defaultAction: z.enum(['allow', 'deny'], { error: 'must be allow or deny' }),
    })
    .optional(),
});

export const meshResource = resourceKind('Mesh', meshSpec);
export type MeshResource = z.infer<typeof meshResource>;
