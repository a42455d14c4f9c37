// Retry settings, shared by the Mesh defaults and each HTTPRoute rule.

import { z } from 'zod';
import { duration, nonNegativeInt, percent } from '../fields.ts';

export const RETRY_CONDITIONS = ['5xx', 'gateway-error', 'connect-failure', 'reset'] as const;

export const retrySettings = z.strictObject({
  attempts: nonNegativeInt(10),
  perTryTimeout: duration({ minMs: 1, maxMs: 3_600_000 }).optional(),
  retryOn: z
    .array(z.enum(RETRY_CONDITIONS, { error: `must be one of ${RETRY_CONDITIONS.join(', ')}` }), {
      error: 'must be a list',
    })
    .optional(),
  backoff: z
    .strictObject({
      base: duration({ minMs: 1, maxMs: 60_000 }),
      max: duration({ minMs: 1, maxMs: 300_000 }),
    })
    .optional(),
  budgetPercent: percent.optional(),
  retryNonIdempotent: z.boolean({ error: 'must be true or false' }).optional(),
});
export type RetrySettings = z.infer<typeof retrySettings>;
