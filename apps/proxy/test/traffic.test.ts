// Two hops of real mTLS: client -> proxy -> peer proxy -> service, with routing and the split.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './harness.ts';
import { SPLIT_70_30, startTestMesh, TEST_MESH, type TestMesh } from './mesh-fixture.ts';

describe('traffic through two proxies', () => {
  let mesh: TestMesh;
  beforeAll(async () => {
    mesh = await startTestMesh(TEST_MESH(SPLIT_70_30));
  });
  afterAll(async () => {
    await mesh?.close();
  });

  it('carries a request over mTLS to the service, which sees the caller identity and trace headers', async () => {
    const response = await call(mesh.proxies.client, 'server', '/hello?x=1', {
      headers: { 'x-version': 'v2' },
    });
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text);
    expect(body.service).toBe('server-v2');
    expect(body.url).toBe('/hello?x=1');
    expect(body.headers['x-weft-peer-identity']).toBe('spiffe://weft.local/ns/shop/sa/client');
    expect(body.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it("continues the caller's trace with a new span at each hop", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await call(mesh.proxies.client, 'server.shop', '/', {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const seen = JSON.parse(response.text).headers.traceparent as string;
    expect(seen.startsWith(`00-${traceId}-`)).toBe(true);
    expect(seen).not.toContain('00f067aa0ba902b7');
  });

  it('splits by weight exactly over a window', async () => {
    const counts = { 'server-v1': 0, 'server-v2': 0 };
    for (let i = 0; i < 100; i++) {
      const response = await call(mesh.proxies.client, 'server', '/split');
      if (response.status !== 200)
        throw new Error(`request ${i}: ${response.status} ${response.text}`);
      counts[JSON.parse(response.text).service as keyof typeof counts] += 1;
    }
    expect(counts).toEqual({ 'server-v1': 70, 'server-v2': 30 });
  });

  it('records each call in the telemetry window by destination version and route, with sketch quantiles', async () => {
    const body = (await (
      await fetch(`http://127.0.0.1:${mesh.proxies.client.ports.admin}/telemetry`)
    ).json()) as {
      series: {
        key: {
          destination: string;
          destinationVersion: string;
          route: string;
          statusClass: string;
        };
        requests: number;
        p50: number;
        p99: number;
      }[];
    };
    const split = body.series.filter(
      (s) => s.key.route === 'HTTPRoute/shop/server rules[1]' && s.key.statusClass === '2xx',
    );
    const byVersion = Object.fromEntries(split.map((s) => [s.key.destinationVersion, s.requests]));
    expect(byVersion.v1).toBeGreaterThanOrEqual(70);
    expect(byVersion.v2).toBeGreaterThanOrEqual(30);
    for (const series of split) {
      expect(series.key.destination).toBe('shop/server');
      expect(series.p50).toBeGreaterThan(0);
      expect(series.p99).toBeGreaterThanOrEqual(series.p50);
    }
  });

  it("records the calls it answers from the callee's side, the caller named by its certificate", async () => {
    const answered = async () => {
      const body = (await (
        await fetch(`http://127.0.0.1:${mesh.proxies.v2.ports.admin}/telemetry`)
      ).json()) as { series: { key: Record<string, string>; requests: number }[] };
      return body.series.filter((s) => s.key.reporter === 'destination');
    };
    const before = (await answered()).reduce((sum, s) => sum + s.requests, 0);
    for (let i = 0; i < 5; i++) {
      const response = await call(mesh.proxies.client, 'server', '/answered', {
        headers: { 'x-version': 'v2' },
      });
      expect(response.status).toBe(200);
    }
    const series = await answered();
    expect(series.reduce((sum, s) => sum + s.requests, 0) - before).toBe(5);
    for (const s of series)
      expect(s.key).toEqual({
        reporter: 'destination',
        source: 'shop/client',
        destination: 'shop/server',
        destinationVersion: 'v2',
        route: '',
        statusClass: '2xx',
      });
  });

  it('answers 404 with x-weft-error for a host it does not know', async () => {
    const response = await call(mesh.proxies.client, 'nowhere', '/');
    expect(response.status).toBe(404);
    expect(response.headers['x-weft-error']).toBe('unknown-upstream');
  });

  it('reports readiness, config and certificate on the admin port', async () => {
    const admin = `http://127.0.0.1:${mesh.proxies.client.ports.admin}`;
    expect((await fetch(`${admin}/ready`)).status).toBe(200);
    const config = (await (await fetch(`${admin}/config`)).json()) as {
      version: string;
      hash: string;
    };
    expect(config.version).toBe('v1');
    expect(config.hash).toMatch(/^[0-9a-f]{64}$/);
    const certs = (await (await fetch(`${admin}/certs`)).json()) as { identity: string };
    expect(certs.identity).toBe('spiffe://weft.local/ns/shop/sa/client');
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toMatch(
      /weft_requests_total\{direction="outbound",destination="server.shop.v1",status_class="2xx",reason=""\} \d+/,
    );
    expect(metrics).toMatch(
      /weft_tls_handshakes_total\{direction="outbound",resumed="false"\} [1-9]/,
    );
  });
});
