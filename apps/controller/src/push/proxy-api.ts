// The proxy API, over TLS: bootstrap (join token + CSR -> certificate), and, with the proxy's
// own certificate, the watch stream (server-sent events of snapshots), ACK/NACK, heartbeat and
// renewal. A proxy may only speak for a registered workload of the identity it presents.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { spiffeId } from '@weft/mesh-config';
import { parseSpiffeId, spiffeIdOf } from '@weft/pki';
import { trafficBatch } from '@weft/telemetry';
import { z } from 'zod';
import { hashSecret } from '../auth/secrets.ts';
import type { MeshAuthority } from '../ca/mesh-authority.ts';
import { controllerChannels } from '../observability/channels.ts';
import type { AuditRepository } from '../repositories/audit.ts';
import { JoinTokenError, type JoinTokenRepository } from '../repositories/join-tokens.ts';
import type { ProxyRepository } from '../repositories/proxies.ts';
import type { TelemetryRepository } from '../repositories/telemetry.ts';
import type { SnapshotPublisher } from './snapshot-publisher.ts';

export const PROXY_ID_HEADER = 'x-weft-proxy-id';
/** Bodies here are JSON: a CSR is under 1 KB, a telemetry batch a few hundred KB at most. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** A comment line on idle streams keeps intermediaries and the proxy's idle timer quiet. */
const STREAM_KEEPALIVE_MS = 15_000;

const workloadInput = z.strictObject({
  id: z.string().min(1).max(253),
  version: z.string().min(1).max(63).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  address: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65_535),
});
const bootstrapInput = z.strictObject({
  token: z.string().min(1).max(512),
  csr: z.string().min(1).max(16_384),
  workload: workloadInput,
});
const ackInput = z.strictObject({
  version: z.string().max(128),
  hash: z.string().max(64),
  error: z.string().max(4_096).optional(),
});
const renewInput = z.strictObject({ csr: z.string().min(1).max(16_384) });
/** Where the proxy listens now: it may have restarted on another address or port. */
const endpointQuery = z.object({
  address: z.string().min(1).max(253).optional(),
  port: z.coerce.number().int().min(1).max(65_535).optional(),
});

export interface ProxyApiDeps {
  readonly authority: MeshAuthority;
  readonly tokens: JoinTokenRepository;
  readonly proxies: ProxyRepository;
  readonly audit: AuditRepository;
  readonly publisher: SnapshotPublisher;
  readonly telemetry: TelemetryRepository;
  readonly trustDomain: () => Promise<string>;
  readonly certificateLifetimeMs: () => Promise<number>;
  readonly onError: (error: unknown) => void;
}

export function createProxyApi(
  tls: { certPem: string; keyPem: string; trustBundlePem: string },
  deps: ProxyApiDeps,
): Server {
  const server = createServer(
    {
      cert: tls.certPem,
      key: tls.keyPem,
      ca: tls.trustBundlePem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      route(req, res, deps).catch((error: unknown) => {
        deps.onError(error);
        if (!res.headersSent) reply(res, 500, { error: 'the controller failed to answer' });
      });
    },
  );
  return server;
}

async function route(req: IncomingMessage, res: ServerResponse, deps: ProxyApiDeps): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'POST' && path === '/v1/bootstrap') return bootstrap(req, res, deps);
  const authenticated = await authenticate(req, deps);
  if ('refusal' in authenticated) return reply(res, 401, { error: authenticated.refusal });
  const caller = authenticated.proxyId;
  if (req.method === 'GET' && path === '/v1/watch') {
    const where = endpointQuery.safeParse(
      Object.fromEntries(new URL(req.url ?? '/', 'https://proxy-api').searchParams),
    );
    if (!where.success) return reply(res, 400, { error: z.prettifyError(where.error) });
    if (where.data.address !== undefined && where.data.port !== undefined) {
      if (await deps.proxies.moved(caller, where.data.address, where.data.port, new Date()))
        deps.publisher.publishSoon();
    }
    return watch(req, res, caller, deps);
  }
  if (req.method === 'POST' && path === '/v1/ack') {
    const input = ackInput.safeParse(await readJson(req));
    if (!input.success) return reply(res, 400, { error: z.prettifyError(input.error) });
    if (input.data.error === undefined) {
      await deps.proxies.acked(caller, input.data.version, input.data.hash, new Date());
      deps.publisher.accepted(caller);
    } else {
      await deps.proxies.nacked(caller, input.data.version, input.data.error, new Date());
      deps.publisher.refused(caller, input.data.hash);
    }
    controllerChannels.snapshotAnswered.publish({
      source: deps.publisher,
      proxyId: caller,
      outcome: input.data.error === undefined ? 'ack' : 'nack',
    });
    return reply(res, 200, { recorded: true });
  }
  if (req.method === 'POST' && path === '/v1/telemetry') {
    const input = trafficBatch.safeParse(await readJson(req));
    if (!input.success) return reply(res, 400, { error: z.prettifyError(input.error) });
    if (input.data.proxyId !== caller)
      return reply(res, 403, {
        error: `a batch from ${caller} cannot speak for ${input.data.proxyId}`,
      });
    return reply(res, 200, { merged: await deps.telemetry.ingest(input.data) });
  }
  if (req.method === 'POST' && path === '/v1/heartbeat') {
    await deps.proxies.heartbeat(caller, new Date());
    return reply(res, 200, { recorded: true });
  }
  if (req.method === 'POST' && path === '/v1/renew') {
    const input = renewInput.safeParse(await readJson(req));
    if (!input.success) return reply(res, 400, { error: z.prettifyError(input.error) });
    const identity = spiffeIdOf((req.socket as TLSSocket).getPeerX509Certificate() ?? '') ?? '';
    const issued = await deps.authority.issue({
      csrPem: input.data.csr,
      spiffeId: identity,
      proxyId: caller,
      lifetimeMs: await deps.certificateLifetimeMs(),
    });
    await deps.proxies.setCertificate(caller, issued.serial);
    return reply(res, 200, {
      certificate: issued.chainPem,
      trustBundle: await deps.authority.trustBundle(),
      notAfter: issued.notAfter,
    });
  }
  return reply(res, 404, { error: `no ${req.method} ${path} here` });
}

async function bootstrap(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ProxyApiDeps,
): Promise<void> {
  const input = bootstrapInput.safeParse(await readJson(req));
  if (!input.success) return reply(res, 400, { error: z.prettifyError(input.error) });
  const { token, csr, workload } = input.data;
  let grant: Awaited<ReturnType<JoinTokenRepository['consume']>>;
  try {
    grant = await deps.tokens.consume(hashSecret(token), new Date());
  } catch (error) {
    if (!(error instanceof JoinTokenError)) throw error;
    await deps.audit.record({
      actor: `proxy ${workload.id}@${req.socket.remoteAddress ?? 'unknown'}`,
      action: 'proxy.bootstrap',
      target: `proxy/${workload.id}`,
      outcome: 'DENIED',
      detail: { reason: error.refusal },
    });
    return reply(res, 401, { error: error.message });
  }
  const identity = spiffeId(await deps.trustDomain(), grant.namespace, grant.service);
  const issued = await deps.authority.issue({
    csrPem: csr,
    spiffeId: identity,
    proxyId: workload.id,
    lifetimeMs: await deps.certificateLifetimeMs(),
  });
  await deps.proxies.register(
    { ...workload, service: grant.service, namespace: grant.namespace },
    issued.serial,
    new Date(),
  );
  await deps.audit.record({
    actor: `proxy ${workload.id}`,
    action: 'proxy.bootstrap',
    target: `proxy/${workload.id}`,
    outcome: 'OK',
    detail: { identity, serial: issued.serial, token: grant.tokenId },
  });
  deps.publisher.publishSoon();
  return reply(res, 200, {
    proxyId: workload.id,
    identity,
    certificate: issued.chainPem,
    trustBundle: await deps.authority.trustBundle(),
    notAfter: issued.notAfter,
  });
}

/** The proxy id the caller may act as, or why it may not. */
async function authenticate(
  req: IncomingMessage,
  deps: ProxyApiDeps,
): Promise<{ proxyId: string } | { refusal: string }> {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) {
    return {
      refusal: `a client certificate from the mesh CA is required (${String(socket.authorizationError ?? 'none sent')})`,
    };
  }
  const identity = spiffeIdOf(socket.getPeerX509Certificate() ?? '');
  const parsed = identity === undefined ? undefined : parseSpiffeId(identity);
  const proxyId = req.headers[PROXY_ID_HEADER];
  if (parsed === undefined || typeof proxyId !== 'string')
    return { refusal: `send ${PROXY_ID_HEADER} with a workload certificate` };
  const proxy = await deps.proxies.get(proxyId);
  if (
    proxy === undefined ||
    proxy.service !== parsed.service ||
    proxy.namespace !== parsed.namespace
  ) {
    return { refusal: `${identity} may not act for proxy ${proxyId}` };
  }
  return { proxyId };
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
  const watcher = {
    send: (snapshot: unknown) => {
      res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
    },
  };
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), STREAM_KEEPALIVE_MS);
  deps.publisher.attach(proxyId, watcher);
  void deps.proxies.heartbeat(proxyId, new Date());
  req.socket.once('close', () => {
    clearInterval(keepalive);
    deps.publisher.detach(proxyId, watcher);
    if (!deps.publisher.connected(proxyId)) void deps.proxies.disconnected(proxyId);
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
