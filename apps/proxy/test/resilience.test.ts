// Retries, timeouts, outlier ejection, circuit breaking, rate limiting, fault injection and
// mirroring, each against real upstream behaviour through real proxies.

import { afterEach, describe, expect, it } from 'vitest';
import { call, readBody } from './harness.ts';
import { startTestMesh, TEST_MESH, type TestMesh } from './mesh-fixture.ts';

const ONLY_V1 = (settings = '') => `
    - backendRefs: [{ name: server, version: v1 }]${settings}`;
const POLICY = (spec: string) => `---
apiVersion: weft.dev/v1alpha1
kind: TrafficPolicy
metadata: { name: server, namespace: shop }
spec:
  targetRef: { name: server }
${spec}`;

/** Fails the first try of every request (by request id), then answers. */
function flaky(failures = new Set<string>()) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const id = String(req.headers['x-request-id']);
    if (!failures.has(id)) {
      failures.add(id);
      res.writeHead(503).end('try again');
      return;
    }
    res.writeHead(200).end('ok');
  };
}

describe('resilience', () => {
  let mesh: TestMesh | undefined;
  afterEach(async () => {
    await mesh?.close();
    mesh = undefined;
  });

  it('retries idempotent requests on 5xx, and never a POST', async () => {
    mesh = await startTestMesh(
      TEST_MESH(
        ONLY_V1(`
      retry: { attempts: 2, retryOn: [5xx], backoff: { base: 1ms, max: 5ms } }`),
      ),
      { handlers: { v1: flaky() } },
    );
    const get = await call(mesh.proxies.client, 'server', '/');
    expect([get.status, get.text]).toEqual([200, 'ok']);
    const post = await call(mesh.proxies.client, 'server', '/', { method: 'POST', body: 'x' });
    expect(post.status).toBe(503);
    expect(mesh.services.v1.hits.filter((h) => h.method === 'POST')).toHaveLength(1);
  });

  it('retries a small POST body when the route allows non-idempotent retries, resending it whole', async () => {
    const bodies: number[] = [];
    mesh = await startTestMesh(
      TEST_MESH(
        ONLY_V1(`
      retry: { attempts: 1, retryOn: [5xx], retryNonIdempotent: true, backoff: { base: 1ms, max: 2ms } }`),
      ),
      {
        handlers: {
          v1: (() => {
            const failing = flaky();
            return async (req, res) => {
              bodies.push((await readBody(req)).length);
              failing(req, res);
            };
          })(),
        },
      },
    );
    const post = await call(mesh.proxies.client, 'server', '/', {
      method: 'POST',
      body: 'x'.repeat(1000),
    });
    expect(post.status).toBe(200);
    expect(bodies).toEqual([1000, 1000]);
  });

  it('times out a slow upstream with 504, per try and in total', async () => {
    mesh = await startTestMesh(
      TEST_MESH(
        ONLY_V1(`
      timeouts: { request: 300ms }
      retry: { attempts: 1, perTryTimeout: 100ms, retryOn: [gateway-error], backoff: { base: 1ms, max: 2ms } }`),
      ),
      { handlers: { v1: (_req, res) => setTimeout(() => res.writeHead(200).end('late'), 1_000) } },
    );
    const started = performance.now();
    const response = await call(mesh.proxies.client, 'server', '/');
    const elapsed = performance.now() - started;
    expect(response.status).toBe(504);
    expect(response.headers['x-weft-error']).toBe('upstream-timeout');
    expect(response.text).toContain('per-try timeout of 100 ms');
    expect(elapsed).toBeLessThan(900);
    expect(mesh.services.v1.hits).toHaveLength(2);
  });

  it('ejects an endpoint after consecutive 5xx and sends traffic to the healthy one', async () => {
    mesh = await startTestMesh(
      TEST_MESH(
        `
    - backendRefs: [{ name: server }]`,
        POLICY(`  loadBalancer: { type: roundRobin }
  outlierDetection: { consecutive5xxErrors: 3, baseEjectionTime: 30s, maxEjectionPercent: 50 }`),
      ),
      { handlers: { v2: (_req, res) => res.writeHead(500).end('broken') } },
    );
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++)
      statuses.push((await call(mesh.proxies.client, 'server', '/')).status);
    expect(statuses.filter((s) => s === 500)).toHaveLength(3);
    expect(statuses.slice(-10).every((s) => s === 200)).toBe(true);
    const metrics = await (
      await fetch(`http://127.0.0.1:${mesh.proxies.client.ports.admin}/metrics`)
    ).text();
    expect(metrics).toMatch(/weft_outlier_ejections_total\{cluster="server.shop"\} 1/);
  });

  it('forgets an endpoint that left every cluster: back again, it starts with a clean record', async () => {
    const yaml = TEST_MESH(
      `
    - backendRefs: [{ name: server }]`,
      POLICY(`  loadBalancer: { type: roundRobin }
  outlierDetection: { consecutive5xxErrors: 3, baseEjectionTime: 30s, maxEjectionPercent: 50 }`),
    );
    let broken = true;
    const running = await startTestMesh(yaml, {
      handlers: {
        v2: (_req, res) => (broken ? res.writeHead(500).end('broken') : res.end('server-v2')),
      },
    });
    mesh = running;
    /** How many of `count` calls v2 answered. */
    const answeredByV2 = async (count: number) => {
      const before = running.services.v2.hits.length;
      for (let i = 0; i < count; i++) await call(running.proxies.client, 'server', '/');
      return running.services.v2.hits.length - before;
    };
    await answeredByV2(10);
    expect(await answeredByV2(10)).toBe(0);

    // v2's workload leaves (its endpoint goes from every cluster), is mended, and comes back
    // well inside its 30 s ejection.
    const client = running.snapshots(yaml, 'without-v2').get('client-1');
    if (client === undefined) throw new Error('no snapshot for the client');
    await running.proxies.client.store.apply({
      ...client,
      clusters: client.clusters.map((cluster) => ({
        ...cluster,
        endpoints: cluster.endpoints.filter((endpoint) => endpoint.workload !== 'server-v2'),
      })),
    });
    broken = false;
    await running.apply(yaml, 'with-v2-again');
    expect(await answeredByV2(10)).toBe(5);
  });

  it('fails fast with 503 at the breaker limit, and recovers', async () => {
    mesh = await startTestMesh(
      TEST_MESH(ONLY_V1(), POLICY('  connectionPool: { maxRequests: 1 }')),
      { handlers: { v1: (_req, res) => setTimeout(() => res.writeHead(200).end('ok'), 200) } },
    );
    const [a, b] = await Promise.all([
      call(mesh.proxies.client, 'server', '/'),
      call(mesh.proxies.client, 'server', '/'),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 503]);
    expect([a, b].find((r) => r.status === 503)?.headers['x-weft-error']).toBe('circuit-open');
    expect((await call(mesh.proxies.client, 'server', '/')).status).toBe(200);
  });

  it('rate limits locally with 429', async () => {
    mesh = await startTestMesh(
      TEST_MESH(ONLY_V1(), POLICY('  rateLimit: { requestsPerSecond: 1, burst: 3 }')),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await call(mesh.proxies.client, 'server', '/')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('injects aborts, and mirrors a copy of each request to another version', async () => {
    mesh = await startTestMesh(
      TEST_MESH(`
    - matches: [{ path: { value: /broken } }]
      backendRefs: [{ name: server, version: v1 }]
      fault: { abort: { httpStatus: 418, percent: 100 } }
    - backendRefs: [{ name: server, version: v1 }]
      filters:
        - type: RequestMirror
          requestMirror: { backendRef: { name: server, version: v2 }, percent: 100 }`),
    );
    const aborted = await call(mesh.proxies.client, 'server', '/broken');
    expect([aborted.status, aborted.headers['x-weft-error']]).toEqual([418, 'fault-injected']);
    expect(mesh.services.v1.hits).toHaveLength(0);
    for (let i = 0; i < 3; i++)
      expect((await call(mesh.proxies.client, 'server', '/mirrored')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mesh.services.v1.hits).toHaveLength(3);
    expect(mesh.services.v2.hits.map((h) => h.url)).toEqual([
      '/mirrored',
      '/mirrored',
      '/mirrored',
    ]);
  });
});
