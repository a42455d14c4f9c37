// Operators and their roles: admins manage them, and disable them to take access back.

import { z } from 'zod';
import { hashPassword } from '../../auth/passwords.ts';
import { usernameSchema } from '../../auth/usernames.ts';
import type { AuditRecord } from '../../repositories/audit.ts';
import { LastAdminError } from '../../repositories/users.ts';
import { text } from '../text-input.ts';
import { adminProcedure, type Context, createRouter } from '../trpc.ts';

export const MIN_PASSWORD_LENGTH = 12;
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

  /**
   * Their sessions and tokens act with the new role from their next request (a token never above
   * it); the last enabled admin stays an admin.
   */
  setRole: adminProcedure
    .input(z.strictObject({ username: usernameSchema, role: z.enum(ROLES) }))
    .mutation(({ ctx, input }) => {
      const audit = {
        actor: ctx.principal.username,
        action: 'users.setRole',
        target: `user/${input.username}`,
      };
      return auditRefusal(
        ctx,
        audit,
        ctx.services.users.setRole(input.username, input.role, audit),
      );
    }),

  /** Their sessions end and their tokens are revoked at once; the last enabled admin stays. */
  disable: adminProcedure
    .input(z.strictObject({ username: usernameSchema }))
    .mutation(({ ctx, input }) => setDisabled(ctx, input.username, true)),

  /** They can sign in again; what disabling ended stays ended. */
  enable: adminProcedure
    .input(z.strictObject({ username: usernameSchema }))
    .mutation(({ ctx, input }) => setDisabled(ctx, input.username, false)),
});

type AdminContext = Context & { principal: NonNullable<Context['principal']> };

function setDisabled(ctx: AdminContext, username: string, disabled: boolean) {
  const audit = {
    actor: ctx.principal.username,
    action: disabled ? 'users.disable' : 'users.enable',
    target: `user/${username}`,
  };
  return auditRefusal(ctx, audit, ctx.services.users.setDisabled(username, disabled, audit));
}

/** A change refused to keep the last admin rolled back with its audit row: record the refusal. */
async function auditRefusal<T>(
  ctx: AdminContext,
  audit: Omit<AuditRecord, 'outcome' | 'detail'>,
  change: Promise<T>,
): Promise<T> {
  try {
    return await change;
  } catch (error) {
    if (error instanceof LastAdminError)
      await ctx.services.audit.record({
        ...audit,
        outcome: 'DENIED',
        detail: { reason: error.message },
      });
    throw error;
  }
}
