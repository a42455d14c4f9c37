// Operators and their roles: admins manage them.

import { z } from 'zod';
import { hashPassword } from '../../auth/passwords.ts';
import { usernameSchema } from '../../auth/usernames.ts';
import { text } from '../text-input.ts';
import { adminProcedure, createRouter } from '../trpc.ts';

export const MIN_PASSWORD_LENGTH = 12;

export const usersRouter = createRouter({
  list: adminProcedure.query(({ ctx }) => ctx.services.users.list()),

  create: adminProcedure
    .input(
      z.strictObject({
        username: usernameSchema,
        password: text()
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
