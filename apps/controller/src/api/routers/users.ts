// Operators and their roles: admins manage them, and disable them to take access back.

import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { usernameSchema } from '../../auth/usernames.ts';
import { text } from '../text-input.ts';
import { adminProcedure, createRouter } from '../trpc.ts';

const ROLES = ['VIEWER', 'OPERATOR', 'ADMIN'] as const;

export const usersRouter = createRouter({
  list: adminProcedure.query(({ ctx }) => ctx.services.users.list()),

  create: adminProcedure
    .input(
      z.strictObject({
        username: usernameSchema,
        password: text()
          .min(MIN_PASSWORD_LENGTH, { error: `must be at least ${MIN_PASSWORD_LENGTH} characters` })
          .max(1024),
        role: z.enum(ROLES),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.operations.users.create(input, ctx.principal.username),
    ),

  /**
   * Their sessions and tokens act with the new role from their next request (a token never above
   * it); the last enabled admin stays an admin.
   */
  setRole: adminProcedure
    .input(z.strictObject({ username: usernameSchema, role: z.enum(ROLES) }))
    .mutation(({ ctx, input }) =>
      ctx.services.operations.users.setRole(input.username, input.role, ctx.principal.username),
    ),

  /** Their sessions end and their tokens are revoked at once; the last enabled admin stays. */
  disable: adminProcedure
    .input(z.strictObject({ username: usernameSchema }))
    .mutation(({ ctx, input }) =>
      ctx.services.operations.users.setDisabled(input.username, true, ctx.principal.username),
    ),

  /** They can sign in again; what disabling ended stays ended. */
  enable: adminProcedure
    .input(z.strictObject({ username: usernameSchema }))
    .mutation(({ ctx, input }) =>
      ctx.services.operations.users.setDisabled(input.username, false, ctx.principal.username),
    ),
});
