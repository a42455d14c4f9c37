// Join tokens for proxies: admins create them (the secret is shown once), list them and expire
// them early.

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
        expiresInHours: z
          .number()
          .positive()
          .max(MAX_TOKEN_LIFETIME_HOURS, {
            error: `must be at most ${MAX_TOKEN_LIFETIME_HOURS} hours (30 days)`,
          })
          .default(24),
        /** Omitted: usable by any number of proxies until it expires. */
        maxUses: z.number().int().positive().max(100_000).optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.operations.joinTokens.create(input, ctx.principal.username),
    ),

  /** No proxy can join with it from now on; proxies that joined with it keep their identity. */
  expire: adminProcedure
    .input(
      z.strictObject({
        id: z.uuid({ error: 'must be a join token id, as the token list shows it' }),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.operations.joinTokens.expire(input.id, ctx.principal.username),
    ),
});
