// The proxy API, over TLS: bootstrap (join token + CSR -> certificate), and, with the proxy's
// own certificate, the watch stream (server-sent events of snapshots), ACK/NACK, heartbeat and
// renewal. A proxy may only speak for a registered workload of the identity it presents.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { parseSpiffeId } from '@weft/pki';
import { trafficBatch } from '@weft/telemetry';
import { z } from 'zod';
import { text } from '../api/text-input.ts';
import { controllerChannels } from '../observability/channels.ts';
import type { TelemetryRepository } from '../repositories/telemetry.ts';
import { PeerIdentities } from './peer-identities.ts';
import { type BootstrapDeps, bootstrap } from './proxy-bootstrap.ts';
import { auditRefusal, type ProxyCall, ProxyRefusal, refusalOf } from './proxy-refusal.ts';
import type { SnapshotCache } from './snapshot-cache.ts';
import { TelemetryAdmission } from './telemetry-admission.ts';

export const PROXY_ID_HEADER = 'x-weft-proxy-id';
/** Bodies here are JSON: a CSR is under 1 KB, a telemetry batch a few hundred KB at most. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** A comment line on idle streams keeps intermediaries and the proxy's idle timer quiet. */
const STREAM_KEEPALIVE_MS = 15_000;
/**
 * A caller gets this long for its TLS handshake, and then for each request head: the proxies'
 * own listeners allow the same (node's defaults, 120 s and 60 s, let silent sockets pile up).
 */
const PROXY_API_HEADERS_TIMEOUT_MS = 10_000;
/** An idle keep-alive connection is closed after this: longer than a proxy's 10 s heartbeat. */
const PROXY_API_IDLE_TIMEOUT_MS = 15_000;
/** How often node looks for overdue heads (its default, 30 s, would let one live 40 s). */
const HEADERS_CHECK_INTERVAL_MS = 1_000;

const ackInput = z.strictObject({
  version: text().max(128),
  hash: text().max(64),
  error: text().max(4_096).optional(),
});
const renewInput = z.strictObject({ csr: z.string().min(1).max(16_384) });
/** Where the proxy listens now: it may have restarted on another address or port. */
const endpointQuery = z.object({
  address: z.string().min(1).max(253).optional(),
  port: z.coerce.number().int().min(1).max(65_535).optional(),
});

export interface ProxyApiDeps extends BootstrapDeps {
  readonly cache: SnapshotCache;
  readonly telemetry: TelemetryRepository;
  /** Every configured service, "namespace/name": what telemetry may name as a destination. */
  readonly services: () => Promise<ReadonlySet<string>>;
  readonly onError: (error: unknown) => void;
}

export function createProxyApi(
  tls: { certPem: string; keyPem: string; trustBundlePem: string },
  deps: ProxyApiDeps,
): Server {
  const admission = new TelemetryAdmission();
  const identities = new PeerIdentities();
  const server = createServer(
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
      route(call, path, res, deps, admission, identities).catch(async (error: unknown) => {
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
  return server;
}

async function route(
  call: ProxyCall,
  path: string,
  res: ServerResponse,
  deps: ProxyApiDeps,
  admission: TelemetryAdmission,
  identities: PeerIdentities,
): Promise<void> {
  const { req } = call;
  if (req.method === 'POST' && path === '/v1/bootstrap')
    return reply(res, 200, await bootstrap(call, await readJson(req), deps));
  const claimed = req.headers[PROXY_ID_HEADER];
  if (typeof claimed === 'string') call.proxyId = claimed.slice(0, 253);
  const caller = await authenticate(req, deps, identities);
  const proxyId = caller.proxyId;
  if (req.method === 'GET' && path === '/v1/watch') {
    const where = endpointQuery.safeParse(
      Object.fromEntries(new URL(req.url ?? '/', 'https://proxy-api').searchParams),
    );
    if (!where.success) throw new ProxyRefusal(400, z.prettifyError(where.error));
    if (where.data.address !== undefined && where.data.port !== undefined) {
      if (await deps.proxies.moved(proxyId, where.data.address, where.data.port, new Date()))
        await deps.changes.emit({ kind: 'registry', proxyId });
    }
    return watch(req, res, proxyId, deps);
  }
  if (req.method === 'POST' && path === '/v1/ack') {
    const input = ackInput.safeParse(await readJson(req));
    if (!input.success) throw new ProxyRefusal(400, z.prettifyError(input.error));
    if (input.data.error === undefined) {
      await deps.proxies.acked(proxyId, input.data.version, input.data.hash, new Date());
      deps.cache.accepted(proxyId);
    } else {
      await deps.proxies.nacked(proxyId, input.data.version, input.data.error, new Date());
      deps.cache.refused(proxyId, input.data.hash);
    }
    controllerChannels.snapshotAnswered.publish({
      source: deps.cache,
      proxyId,
      outcome: input.data.error === undefined ? 'ack' : 'nack',
    });
    return reply(res, 200, { recorded: true });
  }
  if (req.method === 'POST' && path === '/v1/telemetry') {
    const input = trafficBatch.safeParse(await readJson(req));
    if (!input.success) throw new ProxyRefusal(400, z.prettifyError(input.error));
    if (input.data.proxyId !== proxyId)
      throw new ProxyRefusal(403, `a batch from ${proxyId} cannot speak for ${input.data.proxyId}`);
    const latencies = admission.admit(
      input.data,
      caller.workload,
      await deps.services(),
      Date.now(),
    );
    return reply(res, 200, { merged: await deps.telemetry.ingest(input.data, latencies) });
  }
  if (req.method === 'POST' && path === '/v1/heartbeat') {
    await deps.proxies.heartbeat(proxyId, new Date());
    return reply(res, 200, { recorded: true });
  }
  if (req.method === 'POST' && path === '/v1/renew') {
    const input = renewInput.safeParse(await readJson(req));
    if (!input.success) throw new ProxyRefusal(400, z.prettifyError(input.error));
    // A CSR for any other identity is refused by the CA (a PkiError: 400), before it signs.
    const issued = await deps.authority.issue({
      csrPem: input.data.csr,
      spiffeId: caller.identity,
      proxyId,
      lifetimeMs: await deps.certificateLifetimeMs(),
    });
    await deps.proxies.setCertificate(proxyId, issued.serial);
    return reply(res, 200, {
      certificate: issued.chainPem,
      trustBundle: await deps.authority.trustBundle(),
      notAfter: issued.notAfter,
    });
  }
  throw new ProxyRefusal(404, `no ${req.method} ${path} here`);
}

interface Caller {
  readonly proxyId: string;
  /** Its SPIFFE ID, and the "namespace/service" in it. */
  readonly identity: string;
  readonly workload: string;
}

/** The registered proxy the caller may act as: one of the identity in its certificate. */
async function authenticate(
  req: IncomingMessage,
  deps: ProxyApiDeps,
  identities: PeerIdentities,
): Promise<Caller> {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) {
    throw new ProxyRefusal(
      401,
      `a client certificate from the mesh CA is required (${String(socket.authorizationError ?? 'none sent')})`,
    );
  }
  const identity = identities.of(socket.getPeerX509Certificate());
  const parsed = identity === undefined ? undefined : parseSpiffeId(identity);
  const proxyId = req.headers[PROXY_ID_HEADER];
  if (identity === undefined || parsed === undefined || typeof proxyId !== 'string')
    throw new ProxyRefusal(401, `send ${PROXY_ID_HEADER} with a workload certificate`);
  const proxy = await deps.proxies.get(proxyId);
  if (
    proxy === undefined ||
    proxy.service !== parsed.service ||
    proxy.namespace !== parsed.namespace
  ) {
    throw new ProxyRefusal(
      401,
      `${identity} may not act for proxy ${proxyId}${proxy === undefined ? ' (not registered: bootstrap again)' : ''}`,
    );
  }
  return { proxyId, identity, workload: `${parsed.namespace}/${parsed.service}` };
}

function watch(
  req: IncomingMessage,
  res: ServerResponse,
  proxyId: string,
  deps: ProxyApiDeps,
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), STREAM_KEEPALIVE_MS);
  const watcher = {
    send: (snapshot: unknown) => {
      res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
    },
    // The proxy was removed: its stream ends (the connection may stay open, so nothing may be
    // written after), and reconnecting is refused until it bootstraps again.
    close: () => {
      clearInterval(keepalive);
      res.end();
    },
  };
  const cancel = deps.cache.watch(proxyId, watcher);
  void deps.proxies.heartbeat(proxyId, new Date());
  req.socket.once('close', () => {
    clearInterval(keepalive);
    cancel();
    if (!deps.cache.connected(proxyId)) void deps.proxies.disconnected(proxyId);
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}
