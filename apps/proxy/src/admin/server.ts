// The admin port: liveness, readiness, Prometheus metrics, the applied config and certificate.

import { createServer, type Server } from 'node:http';
import type { TrafficWindow } from '@weft/telemetry';
import type { ProxyMetrics } from '../metrics.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { IdentityHolder } from '../tls/identity-holder.ts';

export interface AdminParams {
  readonly metrics: ProxyMetrics;
  readonly runtime: () => Runtime | undefined;
  readonly identity: IdentityHolder;
  readonly workloadId: string;
  readonly traffic: TrafficWindow;
}

export function createAdminServer(params: AdminParams): Server {
  const json = (status: number, body: unknown) => ({
    status,
    type: 'application/json',
    text: `${JSON.stringify(body, null, 2)}\n`,
  });
  const routes: Record<string, () => Promise<{ status: number; type: string; text: string }>> = {
    '/live': async () => ({ status: 200, type: 'text/plain', text: 'live\n' }),
    '/ready': async () =>
      params.runtime() === undefined
        ? { status: 503, type: 'text/plain', text: 'no configuration applied yet\n' }
        : { status: 200, type: 'text/plain', text: 'ready\n' },
    '/metrics': async () => {
      params.metrics.certificateExpiry.set(
        (params.identity.current().notAfter.getTime() - Date.now()) / 1_000,
      );
      return {
        status: 200,
        type: params.metrics.registry.contentType,
        text: await params.metrics.registry.metrics(),
      };
    },
    '/config': async () => {
      const snapshot = params.runtime()?.snapshot;
      if (snapshot === undefined) return json(404, { error: 'no configuration applied yet' });
      return json(200, {
        workload: params.workloadId,
        version: snapshot.version,
        hash: snapshot.hash,
        snapshot,
      });
    },
    /** Traffic per reporting side, source, destination, version, route and class, from sketches. */
    '/telemetry': async () =>
      json(200, { workload: params.workloadId, series: params.traffic.snapshot() }),
    '/certs': async () => {
      const identity = params.identity.current();
      return json(200, {
        identity: identity.spiffeId,
        serial: identity.serial,
        notAfter: identity.notAfter.toISOString(),
      });
    },
  };
  return createServer((req, res) => {
    const route = req.method === 'GET' ? routes[(req.url ?? '/').split('?')[0] ?? '/'] : undefined;
    if (route === undefined) {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end(`try ${Object.keys(routes).join(', ')}\n`);
      return;
    }
    route().then(
      ({ status, type, text }) => res.writeHead(status, { 'content-type': type }).end(text),
      (error: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
}
