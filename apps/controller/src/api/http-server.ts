// Serves the operator API over HTTP: tRPC under /trpc/, a liveness answer at /healthz and the
// controller's own Prometheus metrics at /metrics (both without credentials: neither says
// anything secret). The caller is found from the session cookie or an `Authorization: Bearer`
// API token; their address from the socket, or from the console when it proves the shared secret.

import { createServer, type IncomingMessage, type Server, type ServerOptions } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { CSRF_HEADER } from '../auth/csrf.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { Principal } from '../repositories/users.ts';
import type { Services } from '../services.ts';
import { clientAddressOf } from './client-address.ts';
import { appRouter } from './root.ts';
import { SESSION_COOKIE } from './routers/auth.ts';
import type { Context } from './trpc.ts';
import { readUtf8Body, refusingBadBodies } from './utf8-body.ts';

export const TRPC_BASE_PATH = '/trpc/';
/** Requests larger than this are refused before they are parsed. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/**
 * A client has this long to send a whole request head, as the proxies allow theirs: a connection
 * that sends nothing, or trickles its head, is answered 408 and closed instead of held open.
 */
export const API_HEADERS_TIMEOUT_MS = 10_000;
/** A whole request, body included: the largest body (2 MiB) takes far less on any operator's link. */
export const API_REQUEST_TIMEOUT_MS = 30_000;
/** A keep-alive connection waiting for its next request is closed after this. */
export const API_KEEP_ALIVE_TIMEOUT_MS = 5_000;
/**
 * A socket with no traffic either way for this long is closed (a stalled body, say). Every
 * procedure answers well within it, so a caller waiting for an answer is not cut off.
 */
export const API_SOCKET_IDLE_TIMEOUT_MS = 30_000;
/** Node looks for overdue heads every 30 s by default, which would let a 10 s limit run to 40 s. */
const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;
const SERVER_OPTIONS: ServerOptions = {
  headersTimeout: API_HEADERS_TIMEOUT_MS,
  requestTimeout: API_REQUEST_TIMEOUT_MS,
  keepAliveTimeout: API_KEEP_ALIVE_TIMEOUT_MS,
  connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
};

export function createOperatorApi(
  services: Services,
  log: (error: unknown, path: string | undefined) => void,
  /** WEFT_CONSOLE_SECRET: with it, the console may tell the browser's address. */
  consoleSecret?: string,
): Server {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: TRPC_BASE_PATH,
    maxBodySize: MAX_BODY_BYTES,
    createContext: refusingBadBodies(async ({ req, res }): Promise<Context> => {
      const sessionSecret = cookie(req, SESSION_COOKIE);
      return {
        services,
        principal: await principalOf(services, req, sessionSecret),
        csrfToken: single(req.headers[CSRF_HEADER]),
        sessionSecret,
        clientAddress: clientAddressOf(req, consoleSecret),
        setCookie: (value) => res.appendHeader('set-cookie', value),
      };
    }),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log(error, path);
    },
  });
  const server = createServer(SERVER_OPTIONS, (req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (req.url === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      services.metrics.render().then(
        ({ contentType, text }) => res.writeHead(200, { 'content-type': contentType }).end(text),
        (error: unknown) => {
          log(error, '/metrics');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
        },
      );
      return;
    }
    if (!req.url?.startsWith(TRPC_BASE_PATH)) {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end(`the operator API lives under ${TRPC_BASE_PATH}\n`);
      return;
    }
    void readUtf8Body(req, MAX_BODY_BYTES).then(() => trpc(req, res));
  });
  server.setTimeout(API_SOCKET_IDLE_TIMEOUT_MS, (socket) => socket.destroy());
  return server;
}

async function principalOf(
  services: Services,
  req: IncomingMessage,
  sessionSecret: string | undefined,
): Promise<Principal | undefined> {
  const now = new Date();
  const authorization = req.headers.authorization;
  if (authorization?.startsWith('Bearer '))
    return services.users.byApiToken(hashSecret(authorization.slice(7).trim()), now);
  if (sessionSecret !== undefined) return services.users.bySession(hashSecret(sessionSecret), now);
  return undefined;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** A header sent once; sent twice (an array) it counts as absent. */
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
