// Tracing and access logs through real proxies: the W3C trace carried over two mTLS hops, spans
// at a real OTLP/HTTP receiver with their parent/child links, sampling, a collector that is away,
// and the access log's JSON lines.

import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy.ts';
import { call, tempDir } from './harness.ts';
import { startTestMesh, TEST_MESH, type TestMesh } from './mesh-fixture.ts';
import { type ReceivedSpan, startCollector, type TestCollector } from './otlp-collector.ts';

const CLIENT_ID = 'spiffe://weft.local/ns/shop/sa/client';
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
/** Retries on 5xx, so that a CLIENT span can show them. */
const ONLY_V1_WITH_RETRY = `
    - backendRefs: [{ name: server, version: v1 }]
      retry: { attempts: 2, retryOn: [5xx], backoff: { base: 1ms, max: 5ms } }`;

const tracing = (otlpEndpoint: string, extra: Record<string, unknown> = {}) => ({
  tracing: { otlpEndpoint, sampleRatio: 1, flushIntervalMs: 20, ...extra },
});
const traceparent = (traceId: string, parent: string, flags = '01') =>
  `00-${traceId}-${parent}-${flags}`;

async function metric(proxy: RunningProxy, line: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${proxy.ports.admin}/metrics`)).text();
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

describe('tracing and access logs', () => {
  let mesh: TestMesh | undefined;
  let collector: TestCollector | undefined;
  afterEach(async () => {
    await mesh?.close();
    await collector?.close();
    mesh = undefined;
    collector = undefined;
  });

  it('carries one trace over two hops and exports a CLIENT span from A and a SERVER span from B', async () => {
    collector = await startCollector();
    const failedOnce = new Set<string>();
    mesh = await startTestMesh(TEST_MESH(ONLY_V1_WITH_RETRY), {
      sections: { client: tracing(collector.url), v1: tracing(collector.url) },
      handlers: {
        v1: (req, res) => {
          const id = String(req.headers['x-request-id']);
          if (req.url === '/flaky' && !failedOnce.has(id)) {
            failedOnce.add(id);
            res.writeHead(503).end();
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ traceparent: req.headers.traceparent }));
        },
      },
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const response = await call(mesh.proxies.client, 'server', '/traced?secret=1', {
      headers: { traceparent: traceparent(traceId, callerSpan) },
    });
    expect(response.status).toBe(200);
    const seen = JSON.parse(response.text).traceparent as string;
    expect(seen).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const spans = await collector.waitFor((s) => s.traceId === traceId, 2);
    const clientSpan = spans.find((s) => s.kind === SPAN_KIND_CLIENT) as ReceivedSpan;
    const serverSpan = spans.find((s) => s.kind === SPAN_KIND_SERVER) as ReceivedSpan;
    // Caller -> A's CLIENT span -> B's SERVER span -> the service.
    expect(clientSpan.parentSpanId).toBe(callerSpan);
    expect(serverSpan.parentSpanId).toBe(clientSpan.spanId);
    expect(seen).toBe(traceparent(traceId, serverSpan.spanId));
    expect(clientSpan.resource['service.name']).toBe('client');
    expect(serverSpan.resource).toMatchObject({
      'service.name': 'server',
      'service.namespace': 'shop',
      'service.instance.id': 'server-v1',
      'service.version': 'v1',
    });
    expect(clientSpan.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/traced',
      'http.response.status_code': '200',
      'weft.service': 'shop/server',
      'weft.version': 'v1',
      'weft.route': 'HTTPRoute/shop/server rules[0]',
      'weft.retries': '0',
      'weft.attempts': '1',
    });
    expect(serverSpan.attributes).toMatchObject({
      'url.path': '/traced',
      'http.response.status_code': '200',
      'weft.service': 'shop/server',
      'weft.version': 'v1',
      'weft.peer.identity': CLIENT_ID,
    });
    expect(clientSpan.name).toBe('GET shop/server');
    expect(clientSpan.status).toEqual({});
    expect(BigInt(serverSpan.startTimeUnixNano)).toBeGreaterThanOrEqual(
      BigInt(clientSpan.startTimeUnixNano),
    );
    expect(BigInt(serverSpan.endTimeUnixNano)).toBeLessThanOrEqual(
      BigInt(clientSpan.endTimeUnixNano),
    );
    expect(collector.requests[0]).toEqual({
      path: '/v1/traces',
      contentType: 'application/json',
    });

    // A retried request: one CLIENT span counting the retry, a SERVER span per attempt.
    const retried = '5bf92f3577b34da6a3ce929d0e0e4736';
    expect(
      (
        await call(mesh.proxies.client, 'server', '/flaky', {
          headers: { traceparent: traceparent(retried, callerSpan) },
        })
      ).status,
    ).toBe(200);
    const attempts = await collector.waitFor((s) => s.traceId === retried, 3);
    const retriedClient = attempts.find((s) => s.kind === SPAN_KIND_CLIENT) as ReceivedSpan;
    expect(retriedClient.attributes).toMatchObject({ 'weft.retries': '1', 'weft.attempts': '2' });
    const servers = attempts.filter((s) => s.kind === SPAN_KIND_SERVER);
    expect(servers.map((s) => s.attributes['http.response.status_code']).sort()).toEqual([
      '200',
      '503',
    ]);
    expect(servers.every((s) => s.parentSpanId === retriedClient.spanId)).toBe(true);
    expect(await metric(mesh.proxies.client, 'weft_proxy_spans_exported_total')).toBeGreaterThan(1);
  });

  it('exports nothing when sampling is off, unless the caller sampled the trace', async () => {
    collector = await startCollector();
    const off = tracing(collector.url, { sampleRatio: 0 });
    mesh = await startTestMesh(TEST_MESH(ONLY_V1_WITH_RETRY), {
      sections: { client: off, v1: off },
    });
    for (let i = 0; i < 20; i++) {
      const response = await call(mesh.proxies.client, 'server', '/unsampled');
      expect(JSON.parse(response.text).headers.traceparent).toMatch(/-00$/);
    }
    const unsampledParent = traceparent(
      '6bf92f3577b34da6a3ce929d0e0e4736',
      '00f067aa0ba902b7',
      '00',
    );
    await call(mesh.proxies.client, 'server', '/', { headers: { traceparent: unsampledParent } });
    const sampledTrace = '7bf92f3577b34da6a3ce929d0e0e4736';
    await call(mesh.proxies.client, 'server', '/', {
      headers: { traceparent: traceparent(sampledTrace, '00f067aa0ba902b7') },
    });
    // Closing flushes what is queued: only the caller-sampled trace may have left.
    await mesh.close();
    mesh = undefined;
    expect(collector.spans.map((s) => s.traceId)).toEqual([sampledTrace, sampledTrace]);
  });

  it('serves every request while the collector is down, and counts the spans it drops', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const started = await startTestMesh(TEST_MESH(ONLY_V1_WITH_RETRY), {
      sections: {
        client: tracing(down, { maxBatchSpans: 2, maxQueueSpans: 4, exportTimeoutMs: 500 }),
      },
    });
    mesh = started;
    const client = started.proxies.client;
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async () => (await call(client, 'server', '/')).status),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    const dropped = async () => ({
      queueFull: await metric(client, 'weft_proxy_spans_dropped_total{reason="queue-full"}'),
      failed: await metric(client, 'weft_proxy_spans_dropped_total{reason="export-failed"}'),
    });
    const deadline = Date.now() + 5_000;
    let counts = await dropped();
    while (counts.queueFull + counts.failed < 30 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      counts = await dropped();
    }
    expect(counts.queueFull + counts.failed).toBe(30);
    expect(counts.failed).toBeGreaterThan(0);
    expect(await metric(client, 'weft_proxy_spans_exported_total')).toBe(0);
  });

  it('records no request series with request telemetry off, and still carries the trace', async () => {
    const off = { requestTelemetry: { enabled: false } };
    mesh = await startTestMesh(TEST_MESH(ONLY_V1_WITH_RETRY), {
      sections: { client: off, v1: off },
      handlers: {
        v1: (req, res) => {
          res.end(String(req.headers.traceparent));
        },
      },
    });
    const answer = await call(mesh.proxies.client, 'server', '/quiet');
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    for (const proxy of [mesh.proxies.client, mesh.proxies.v1]) {
      const text = await (await fetch(`http://127.0.0.1:${proxy.ports.admin}/metrics`)).text();
      expect(text).toContain('# TYPE weft_requests_total counter');
      expect(text.split('\n').filter((line) => line.startsWith('weft_requests_total{'))).toEqual(
        [],
      );
    }
  });

  it('writes one JSON line per request with ids, identities, route, status, sizes and flags', async () => {
    const dir = await tempDir();
    const logOf = (name: string) => ({
      accessLog: { enabled: true, path: join(dir, `${name}.log`) },
    });
    const permissive = TEST_MESH(ONLY_V1_WITH_RETRY).replace(
      '  access: { defaultAction: allow }',
      '  access: { defaultAction: allow }\n  mtls: { mode: PERMISSIVE }',
    );
    mesh = await startTestMesh(permissive, {
      sections: { client: logOf('client'), v1: logOf('v1') },
    });
    const traceId = '8bf92f3577b34da6a3ce929d0e0e4736';
    const ok = await call(mesh.proxies.client, 'server', '/logged?token=secret', {
      method: 'POST',
      headers: { traceparent: traceparent(traceId, '00f067aa0ba902b7'), 'x-request-id': 'req-1' },
      body: 'hello',
    });
    expect(ok.status).toBe(200);
    expect((await call(mesh.proxies.client, 'nowhere', '/x')).status).toBe(404);
    const plain = await request(`http://127.0.0.1:${mesh.proxies.v1.ports.inbound}/plain`);
    await plain.body.text();
    await mesh.close();
    mesh = undefined;

    const lines = async (name: string) =>
      (await readFile(join(dir, `${name}.log`), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const client = await lines('client');
    const server = await lines('v1');
    expect(client).toHaveLength(2);
    expect(server).toHaveLength(2);
    const outbound = client[0] as Record<string, unknown>;
    const inbound = server[0] as Record<string, unknown>;
    expect(outbound).toMatchObject({
      requestId: 'req-1',
      traceId,
      direction: 'outbound',
      source: CLIENT_ID,
      destination: 'shop/server',
      version: 'v1',
      route: 'HTTPRoute/shop/server rules[0]',
      method: 'POST',
      path: '/logged',
      status: 200,
      requestBytes: 5,
      retries: 0,
      flags: [],
    });
    expect(inbound).toMatchObject({
      requestId: 'req-1',
      traceId,
      direction: 'inbound',
      source: CLIENT_ID,
      destination: 'shop/server',
      version: 'v1',
      route: null,
      path: '/logged',
      status: 200,
      requestBytes: 5,
    });
    // The outbound line's span is the parent of the inbound one: both are in the log.
    expect(outbound.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(inbound.spanId).not.toBe(outbound.spanId);
    expect(Number(outbound.responseBytes)).toBeGreaterThan(0);
    expect(outbound.durationMs).toBeGreaterThanOrEqual(inbound.durationMs as number);
    expect(new Date(String(outbound.time)).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(client[1]).toMatchObject({
      direction: 'outbound',
      destination: null,
      status: 404,
      traceId: null,
      flags: ['unknown-upstream'],
    });
    expect(server[1]).toMatchObject({ source: 'unauthenticated', path: '/plain', status: 200 });
  });

  it('flags a mirrored request and the answer that got its endpoint ejected', async () => {
    const dir = await tempDir();
    const file = join(dir, 'client.log');
    mesh = await startTestMesh(
      TEST_MESH(
        `
    - matches: [{ path: { value: /mirrored } }]
      backendRefs: [{ name: server, version: v1 }]
      filters:
        - type: RequestMirror
          requestMirror: { backendRef: { name: server, version: v2 }, percent: 100 }
    - backendRefs: [{ name: server }]`,
        `---
apiVersion: weft.dev/v1alpha1
kind: TrafficPolicy
metadata: { name: server, namespace: shop }
spec:
  targetRef: { name: server }
  loadBalancer: { type: roundRobin }
  outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 30s, maxEjectionPercent: 50 }`,
      ),
      {
        sections: { client: { accessLog: { enabled: true, path: file } } },
        handlers: { v2: (req, res) => res.writeHead(req.url === '/eject' ? 500 : 200).end() },
      },
    );
    expect((await call(mesh.proxies.client, 'server', '/mirrored')).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await call(mesh.proxies.client, 'server', '/eject')).status);
    expect(statuses.filter((status) => status === 500)).toHaveLength(1);
    await mesh.close();
    mesh = undefined;
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { path: string; status: number; flags: string[] });
    expect(lines[0]).toMatchObject({ path: '/mirrored', status: 200, flags: ['mirror'] });
    expect(lines.filter((line) => line.flags.includes('ejected'))).toMatchObject([
      { path: '/eject', status: 500, flags: ['ejected'] },
    ]);
  });
});
