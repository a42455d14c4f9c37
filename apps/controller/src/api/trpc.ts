// tRPC for the operator API: the request context, and procedures by the role they require.
// Domain errors (MeshError) become tRPC errors in one place; zod errors reach the client as
// data.zodError and configuration problems as data.meshIssues, each naming field and line.

import { initTRPC, TRPCError } from '@trpc/server';
import { type ConfigIssue, MeshConfigError } from '@weft/mesh-config';
import { z } from 'zod';
import { CSRF_COOKIE, CSRF_HEADER, csrfTokenMatches } from '../auth/csrf.ts';
import {
  ConflictError,
  NotFoundError,
  PreconditionError,
  TooManyAttemptsError,
  UnauthenticatedError,
} from '../errors.ts';
import { type Principal, RANK, type Role } from '../repositories/users.ts';
import type { Services } from '../services.ts';
import { apiTransformer } from './transformer.ts';

export interface Context {
  readonly services: Services;
  readonly principal: Principal | undefined;
  /** The x-weft-csrf header as sent: a session's mutations need its own token there. */
  readonly csrfToken: string | undefined;
  /** Lets auth.login set and auth.logout clear the session cookie. */
  readonly setCookie: (cookie: string) => void;
  readonly sessionSecret: string | undefined;
  /** The socket's peer, or the browser's address when the console vouched for it. */
  readonly clientAddress: string;
}

// superjson keeps Dates and bigints typed end to end, for the console and the CLI alike. Stack
// traces stay in the controller's log: tRPC would send them whenever NODE_ENV is not production.
const t = initTRPC.context<Context>().create({
  transformer: apiTransformer,
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        zodError: cause instanceof z.ZodError ? z.flattenError(cause) : null,
        meshIssues: cause instanceof MeshConfigError ? (cause.issues as ConfigIssue[]) : null,
      },
    };
  },
});

export const createRouter = t.router;

/** The one place domain errors become API errors; anything else stays a 500 and is logged. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  const cause = result.ok ? undefined : result.error.cause;
  if (cause instanceof NotFoundError)
    throw new TRPCError({ code: 'NOT_FOUND', message: cause.message, cause });
  if (cause instanceof ConflictError)
    throw new TRPCError({ code: 'CONFLICT', message: cause.message, cause });
  if (cause instanceof PreconditionError) {
    throw new TRPCError({ code: 'PRECONDITION_FAILED', message: cause.message, cause });
  }
  if (cause instanceof MeshConfigError)
    throw new TRPCError({ code: 'BAD_REQUEST', message: cause.message, cause });
  if (cause instanceof UnauthenticatedError)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: cause.message, cause });
  if (cause instanceof TooManyAttemptsError)
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: cause.message, cause });
  return result;
});

/** Counts every procedure call by outcome for /metrics, after errors got their final code. */
const observed = t.middleware(async ({ ctx, path, next }) => {
  const started = performance.now();
  const result = await next();
  ctx.services.metrics.apiRequest(
    path,
    result.ok ? 'ok' : result.error.code,
    (performance.now() - started) / 1_000,
  );
  return result;
});

export const publicProcedure = t.procedure.use(observed).use(domainErrors);

function requireRole(minimum: Role) {
  return t.middleware(async ({ ctx, next, path, type }) => {
    const deny = async (code: 'UNAUTHORIZED' | 'FORBIDDEN', reason: string) => {
      if (type === 'mutation') {
        await ctx.services.audit.record({
          actor: ctx.principal?.username ?? `anonymous@${ctx.clientAddress}`,
          action: path,
          target: path,
          outcome: 'DENIED',
          detail: { reason },
        });
      }
      throw new TRPCError({ code, message: reason });
    };
    if (ctx.principal === undefined)
      return deny('UNAUTHORIZED', 'sign in first: no valid session or API token');
    // A cross-site form or image cannot set a header, nor read the cookie to know the token.
    if (
      type === 'mutation' &&
      ctx.principal.via === 'session' &&
      !csrfTokenMatches(ctx.sessionSecret, ctx.csrfToken)
    ) {
      return deny(
        'FORBIDDEN',
        `a mutation with a session cookie must carry the ${CSRF_HEADER} header holding this session's ${CSRF_COOKIE} cookie`,
      );
    }
    if (RANK[ctx.principal.role] < RANK[minimum]) {
      return deny(
        'FORBIDDEN',
        `${path} needs the ${minimum.toLowerCase()} role; ${ctx.principal.username} is ${ctx.principal.role.toLowerCase()}`,
      );
    }
    return next({ ctx: { ...ctx, principal: ctx.principal } });
  });
}

export const viewerProcedure = publicProcedure.use(requireRole('VIEWER'));
export const operatorProcedure = publicProcedure.use(requireRole('OPERATOR'));
export const adminProcedure = publicProcedure.use(requireRole('ADMIN'));
