// Join tokens for proxies: admins create them (the secret is shown once) and list them.

import { z } from 'zod';
import { adminProcedure, createRouter } from '../trpc.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_TOKEN_LIFETIME_HOURS = 24 * 30;

export const tokensRouter = createRouter({
  list: adminProcedure.query(({ ctx }) => ctx.services.tokens.list()),

  create: adminProcedure
    .input(
      z.strictObject({
        service: z.string().regex(DNS_LABEL, { error: 'must be a service name (DNS label)' }),
        namespace: z
          .string()
          .regex(DNS_LABEL, { error: 'must be a namespace (DNS label)' })
          .default('default'),
        expiresInHours: z.number().positive().max(MAX_TOKEN_LIFETIME_HOURS).default(24),
        /** Omitted: usable by any number of proxies until it expires. */
        maxUses: z.number().int().positive().max(100_000).optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.operations.joinTokens.create(input, ctx.principal.username),
    ),
});
