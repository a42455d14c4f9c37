// The proxy API, over TLS: bootstrap (join token + CSR -> certificate), and, with the proxy's
// own certificate, the watch stream (server-sent events of snapshots), ACK/NACK, heartbeat,
// renewal and telemetry upload. A proxy may only speak for a registered workload of the identity
// it presents. The endpoints are @weft/proxy-protocol's; this file routes them to their handlers
// (endpoints/*.ts) and turns refusals into audited 4xx answers.

import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type Endpoint, proxyApi } from '@weft/proxy-protocol';
import type { AuditRepository } from '../repositories/audit.ts';
import type { TelemetryRepository } from '../repositories/telemetry.ts';
import { ackHandler } from './endpoints/ack.ts';
import { bootstrapHandler } from './endpoints/bootstrap.ts';
import { authenticate, claimedProxyId } from './endpoints/caller.ts';
import type { OpenHandler, ProxyHandler } from './endpoints/handler.ts';
import { heartbeatHandler } from './endpoints/heartbeat.ts';
import { reply } from './endpoints/json-exchange.ts';
import { renewHandler } from './endpoints/renew.ts';
import { telemetryHandler } from './endpoints/telemetry.ts';
import { watchHandler } from './endpoints/watch.ts';
import { PeerIdentities } from './peer-identities.ts';
import type { BootstrapDeps } from './proxy-bootstrap.ts';
import { auditRefusal, type ProxyCall, ProxyRefusal, refusalOf } from './proxy-refusal.ts';
import type { SnapshotCache } from './snapshot-cache.ts';

/**
 * A caller gets this long for its TLS handshake, and then for each request head: the proxies'
 * own listeners allow the same (node's defaults, 120 s and 60 s, let silent sockets pile up).
 */
const PROXY_API_HEADERS_TIMEOUT_MS = 10_000;
/** An idle keep-alive connection is closed after this: longer than a proxy's 10 s heartbeat. */
const PROXY_API_IDLE_TIMEOUT_MS = 15_000;
/** How often node looks for overdue heads (its default, 30 s, would let one live 40 s). */
const HEADERS_CHECK_INTERVAL_MS = 1_000;

export interface ProxyApiDeps extends BootstrapDeps {
  readonly cache: SnapshotCache;
  /** Where refusals are recorded. */
  readonly audit: AuditRepository;
  readonly telemetry: TelemetryRepository;
  /** Every configured service, "namespace/name": what telemetry may name as a destination. */
  readonly services: () => Promise<ReadonlySet<string>>;
  readonly onError: (error: unknown) => void;
}

type Route =
  | { readonly caller: 'anyone'; readonly handle: OpenHandler }
  | { readonly caller: 'proxy'; readonly handle: ProxyHandler };

/** "POST /v1/ack" → its handler. */
function routeTable(deps: ProxyApiDeps): ReadonlyMap<string, Route> {
  return new Map([
    route(proxyApi.bootstrap, bootstrapHandler(deps)),
    route(proxyApi.watch, watchHandler(deps)),
    route(proxyApi.ack, ackHandler(deps)),
    route(proxyApi.heartbeat, heartbeatHandler(deps)),
    route(proxyApi.renew, renewHandler(deps)),
    route(proxyApi.telemetry, telemetryHandler(deps)),
  ]);
}

function route<E extends Endpoint>(
  endpoint: E,
  handle: E['caller'] extends 'anyone' ? OpenHandler : ProxyHandler,
): [string, Route] {
  // The endpoint's caller chose the handler's type in the signature: the pair is a Route.
  return [`${endpoint.method} ${endpoint.path}`, { caller: endpoint.caller, handle } as Route];
}

export function createProxyApi(
  tls: { certPem: string; keyPem: string; trustBundlePem: string },
  deps: ProxyApiDeps,
): Server {
  const routes = routeTable(deps);
  const identities = new PeerIdentities();
  return createServer(
    {
      cert: tls.certPem,
      key: tls.keyPem,
      ca: tls.trustBundlePem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      handshakeTimeout: PROXY_API_HEADERS_TIMEOUT_MS,
      headersTimeout: PROXY_API_HEADERS_TIMEOUT_MS,
      // Bodies are small; the watch stream's response is not bounded by this, only its request.
      requestTimeout: 2 * PROXY_API_HEADERS_TIMEOUT_MS,
      keepAliveTimeout: PROXY_API_IDLE_TIMEOUT_MS,
      connectionsCheckingInterval: HEADERS_CHECK_INTERVAL_MS,
    },
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const call: ProxyCall = {
        req,
        action: `proxy.${path.replace(/^\/v1\//, '').slice(0, 64)}`,
        proxyId: undefined,
      };
      dispatch(call, path, res, routes, deps, identities).catch(async (error: unknown) => {
        const refusal = refusalOf(error);
        if (refusal === undefined) {
          deps.onError(error);
          if (!res.headersSent) reply(res, 500, { error: 'the controller failed to answer' });
          return;
        }
        try {
          await auditRefusal(deps.audit, call, refusal);
        } catch (auditError) {
          deps.onError(auditError);
        }
        if (!res.headersSent) reply(res, refusal.status, { error: refusal.message });
      });
    },
  );
}

/** Everything but an open endpoint is authenticated first: an unknown path is a 404 only to a proxy. */
async function dispatch(
  call: ProxyCall,
  path: string,
  res: ServerResponse,
  routes: ReadonlyMap<string, Route>,
  deps: ProxyApiDeps,
  identities: PeerIdentities,
): Promise<void> {
  const route = routes.get(`${call.req.method} ${path}`);
  if (route?.caller === 'anyone') return route.handle(call, res);
  call.proxyId = claimedProxyId(call.req);
  const caller = await authenticate(call.req, deps.proxies, identities);
  if (route === undefined) throw new ProxyRefusal(404, `no ${call.req.method} ${path} here`);
  return route.handle(call, res, caller);
}
