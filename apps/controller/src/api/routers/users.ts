// Operators and their roles: admins manage them.

import { z } from 'zod';
import { hashPassword } from '../../auth/passwords.ts';
import { adminProcedure, createRouter } from '../trpc.ts';

export const MIN_PASSWORD_LENGTH = 12;

export const usersRouter = createRouter({
  list: adminProcedure.query(({ ctx }) => ctx.services.users.list()),

  create: adminProcedure
    .input(
      z.strictObject({
        username: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
          error: 'must be 1-64 lowercase letters, digits, ".", "_" or "-"',
        }),
        password: z
          .string()
          .min(MIN_PASSWORD_LENGTH, { error: `must be at least ${MIN_PASSWORD_LENGTH} characters` })
          .max(1024),
        role: z.enum(['VIEWER', 'OPERATOR', 'ADMIN']),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.services.users.create(
        input.username,
        await hashPassword(input.password),
        input.role,
      );
      await ctx.services.audit.record({
        actor: ctx.principal.username,
        action: 'users.create',
        target: `user/${user.username}`,
        outcome: 'OK',
        detail: { role: user.role },
      });
      return user;
    }),
});
