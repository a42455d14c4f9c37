// Sign-in: a session cookie (and its readable anti-CSRF token) for the console, or an API token
// for the CLI and automation.

import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { CSRF_COOKIE, csrfTokenFor } from '../../auth/csrf.ts';
import { LoginThrottle } from '../../auth/login-throttle.ts';
import { hashPassword, verifyPassword } from '../../auth/passwords.ts';
import { hashSecret, newSecret } from '../../auth/secrets.ts';
import { SESSION_LIFETIME_MS } from '../../env.ts';
import { text } from '../text-input.ts';
import { createRouter, publicProcedure, viewerProcedure } from '../trpc.ts';

export const SESSION_COOKIE = 'weft_session';
const throttle = new LoginThrottle();
let decoy: Promise<string> | undefined;
const decoyHash = () => {
  decoy ??= hashPassword(newSecret('decoy'));
  return decoy;
};

const loginInput = z.strictObject({
  username: text().min(1).max(128),
  password: text().min(1).max(1024),
  /** "token" returns an API token for the CLI instead of setting a cookie. */
  mode: z.enum(['session', 'token']).default('session'),
  tokenName: text().min(1).max(128).default('cli'),
});

export const authRouter = createRouter({
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const attempt = throttle.begin(input.username, ctx.clientAddress);
    if (attempt === undefined) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: 'too many failed sign-ins; wait a minute or more before trying again',
      });
    }
    let found: Awaited<ReturnType<typeof ctx.services.users.credentials>>;
    let valid = false;
    try {
      found = await ctx.services.users.credentials(input.username);
      // Unknown users cost a hash too, so timing does not tell which usernames exist.
      valid =
        (await verifyPassword(input.password, found?.passwordHash ?? (await decoyHash()))) &&
        found !== undefined;
    } finally {
      attempt.settle(valid);
    }
    if (!valid || found === undefined) {
      await ctx.services.audit.record({
        actor: input.username,
        action: 'auth.login',
        target: `user/${input.username}`,
        outcome: 'DENIED',
        detail: { from: ctx.clientAddress },
      });
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'wrong username or password' });
    }
    if (input.mode === 'token') {
      const token = newSecret('weft_api');
      await ctx.services.users.createApiToken(
        found.user.id,
        input.tokenName,
        hashSecret(token),
        found.user.role,
      );
      await ctx.services.audit.record({
        actor: found.user.username,
        action: 'auth.token.create',
        target: `user/${found.user.username}`,
        outcome: 'OK',
        detail: { name: input.tokenName },
      });
      return { user: found.user, token };
    }
    const secret = newSecret('weft_session');
    await ctx.services.users.createSession(
      found.user.id,
      hashSecret(secret),
      new Date(Date.now() + SESSION_LIFETIME_MS),
    );
    const maxAge = Math.floor(SESSION_LIFETIME_MS / 1_000);
    ctx.setCookie(
      `${SESSION_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}`,
    );
    // Readable by the console's own script (not HttpOnly): it sends the value back as x-weft-csrf.
    ctx.setCookie(
      `${CSRF_COOKIE}=${csrfTokenFor(secret)}; SameSite=Strict; Path=/; Max-Age=${maxAge}`,
    );
    return { user: found.user, token: null };
  }),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionSecret !== undefined)
      await ctx.services.users.deleteSession(hashSecret(ctx.sessionSecret));
    ctx.setCookie(`${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    ctx.setCookie(`${CSRF_COOKIE}=; SameSite=Strict; Path=/; Max-Age=0`);
    return { signedOut: true };
  }),

  me: viewerProcedure.query(({ ctx }) => ({ user: ctx.principal })),
});
