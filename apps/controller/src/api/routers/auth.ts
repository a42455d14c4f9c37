// Sign-in: a session cookie (and its readable anti-CSRF token) for the console, or an API token
// for the CLI and automation.

import { z } from 'zod';
import { CSRF_COOKIE, csrfTokenFor } from '../../auth/csrf.ts';
import { SESSION_LIFETIME_MS } from '../../env.ts';
import { text } from '../text-input.ts';
import { createRouter, publicProcedure, viewerProcedure } from '../trpc.ts';

export const SESSION_COOKIE = 'weft_session';

const loginInput = z.strictObject({
  username: text().min(1).max(128),
  password: text().min(1).max(1024),
  /** "token" returns an API token for the CLI instead of setting a cookie. */
  mode: z.enum(['session', 'token']).default('session'),
  tokenName: text().min(1).max(128).default('cli'),
});

export const authRouter = createRouter({
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const outcome = await ctx.services.operations.auth.login({
      ...input,
      clientAddress: ctx.clientAddress,
    });
    if (outcome.token !== null) return { user: outcome.user, token: outcome.token };
    const maxAge = Math.floor(SESSION_LIFETIME_MS / 1_000);
    ctx.setCookie(
      `${SESSION_COOKIE}=${outcome.session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}`,
    );
    // Readable by the console's own script (not HttpOnly): it sends the value back as x-weft-csrf.
    ctx.setCookie(
      `${CSRF_COOKIE}=${csrfTokenFor(outcome.session)}; SameSite=Strict; Path=/; Max-Age=${maxAge}`,
    );
    return { user: outcome.user, token: null };
  }),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    await ctx.services.operations.auth.logout(ctx.sessionSecret);
    ctx.setCookie(`${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    ctx.setCookie(`${CSRF_COOKIE}=; SameSite=Strict; Path=/; Max-Age=0`);
    return { signedOut: true };
  }),

  me: viewerProcedure.query(({ ctx }) => ({ user: ctx.principal })),
});
