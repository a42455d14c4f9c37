// API tokens for the CLI and automation (the proxies' join tokens are routers/tokens.ts): anyone
// lists, makes and revokes their own; an admin lists and revokes everyone's. Each expires.

import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { usernameSchema } from '../../auth/usernames.ts';
import { RANK } from '../../repositories/users.ts';
import { fieldError } from '../field-error.ts';
import { text } from '../text-input.ts';
import { adminProcedure, createRouter, viewerProcedure } from '../trpc.ts';

const HOUR_MS = 3_600_000;
const ROLES = ['VIEWER', 'OPERATOR', 'ADMIN'] as const;

export const apiTokensRouter = createRouter({
  /** The caller's own tokens, revoked and expired ones included. */
  mine: viewerProcedure.query(({ ctx }) =>
    ctx.services.users.listApiTokens(ctx.principal.username),
  ),

  /** Everyone's tokens, or one user's. */
  list: adminProcedure
    .input(z.strictObject({ username: usernameSchema.optional() }))
    .query(({ ctx, input }) => ctx.services.users.listApiTokens(input.username)),

  /** A token for the caller (the secret is shown once), at most their own role. */
  create: viewerProcedure
    .input(
      z.strictObject({
        name: text().min(1).max(128),
        /** Omitted: the controller's default lifetime (WEFT_API_TOKEN_TTL). */
        expiresInHours: z.number().positive().optional(),
        /** Omitted: the caller's role. */
        role: z.enum(ROLES).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { defaultTtlMs, maxTtlMs } = ctx.services.users.tokenLifetimes;
      const ttlMs =
        input.expiresInHours === undefined ? defaultTtlMs : input.expiresInHours * HOUR_MS;
      if (ttlMs > maxTtlMs)
        throw fieldError(
          'expiresInHours',
          `must be at most ${maxTtlMs / HOUR_MS} hours (WEFT_API_TOKEN_MAX_TTL)`,
        );
      const role = input.role ?? ctx.principal.role;
      if (RANK[role] > RANK[ctx.principal.role])
        throw new TRPCError({
          code: 'FORBIDDEN',
          message: `a token cannot have a role above your own role (${ctx.principal.role.toLowerCase()})`,
        });
      return ctx.services.operations.apiTokens.create(ctx.principal, {
        name: input.name,
        role,
        ttlMs,
      });
    }),

  /** Works at once: the next request with the token is refused. Admins revoke anyone's. */
  revoke: viewerProcedure
    .input(
      z.strictObject({
        id: z.uuid({ error: 'must be a token id, as weft api-token list shows it' }),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.operations.apiTokens.revoke(input.id, ctx.principal),
    ),
});
