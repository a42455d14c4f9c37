// The operator API: one router per noun. The console and the CLI import AppRouter as a type only.

import { apiTokensRouter } from './routers/api-tokens.ts';
import { auditRouter } from './routers/audit.ts';
import { authRouter } from './routers/auth.ts';
import { certificatesRouter } from './routers/certificates.ts';
import { configRouter } from './routers/config.ts';
import { policiesRouter } from './routers/policies.ts';
import { proxiesRouter } from './routers/proxies.ts';
import { revisionsRouter } from './routers/revisions.ts';
import { rolloutsRouter } from './routers/rollouts.ts';
import { routesRouter } from './routers/routes.ts';
import { servicesRouter } from './routers/services.ts';
import { telemetryRouter } from './routers/telemetry.ts';
import { tokensRouter } from './routers/tokens.ts';
import { usersRouter } from './routers/users.ts';
import { createRouter } from './trpc.ts';

export const appRouter = createRouter({
  auth: authRouter,
  config: configRouter,
  routes: routesRouter,
  policies: policiesRouter,
  revisions: revisionsRouter,
  audit: auditRouter,
  users: usersRouter,
  tokens: tokensRouter,
  apiTokens: apiTokensRouter,
  proxies: proxiesRouter,
  certificates: certificatesRouter,
  telemetry: telemetryRouter,
  services: servicesRouter,
  rollouts: rolloutsRouter,
});

export type AppRouter = typeof appRouter;
