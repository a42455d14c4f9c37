// The read APIs the console draws from, on a real controller and SQLite: routes with their
// canary split, the service catalog with live instances, the certificate inventory after
// proxies bootstrap and renew, and telemetry as series (gap-free), overview (judged by
// objectives) and graph (per version).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { type TrafficKey, TrafficWindow } from '@weft/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from '../src/controller.ts';
import { type AdminController, startAdminController } from './admin-controller.ts';
import { bootstrapProxy, type TestProxy } from './proxy-api-client.ts';

const ROOT = join(import.meta.dirname, '../../..');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const statusOf = (error: unknown) =>
  error instanceof TRPCClientError
    ? (error.data as { httpStatus?: number } | undefined)?.httpStatus
    : undefined;

const key = (source: string, destination: string, version: string): TrafficKey => ({
  reporter: 'source',
  source,
  destination,
  destinationVersion: version,
  route: `HTTPRoute/${destination} rules[0]`,
  statusClass: '2xx',
});

describe('console read API', () => {
  let controller: RunningController;
  let admin: AdminController['admin'];
  let proxies: TestProxy[];
  /** "Now" for the telemetry fed below; every query runs within a minute of it. */
  let t0: number;
  let sequence = 0;
  const bucket = (at: number) => Math.floor(at / 10_000) * 10_000;

  /** One batch from `proxyId` whose window ends at `at`: `requests` calls, `errors` of them 503. */
  const feed = async (
    at: number,
    traffic: { key: TrafficKey; requests: number; errors?: number; latencyMs: number },
  ) => {
    const window = new TrafficWindow(() => at);
    for (let i = 0; i < traffic.requests; i++) {
      const status = i < (traffic.errors ?? 0) ? 503 : 200;
      window.record(traffic.key, status, traffic.latencyMs, 0, 0);
    }
    sequence += 1;
    expect(await controller.services.telemetry.ingest(window.drain('feeder', sequence))).toBe(true);
  };

  beforeAll(async () => {
    ({ controller, admin } = await startAdminController('console-api'));
    await admin.config.applyYaml.mutate({
      yaml: await readFile(join(ROOT, 'examples/mesh.yaml'), 'utf8'),
      file: 'mesh.yaml',
    });
    const join_ = await admin.tokens.create.mutate({ service: 'catalog', namespace: 'shop' });
    proxies = [];
    for (const [id, version, port] of [
      ['catalog-v1-a', 'v1', 20_001],
      ['catalog-v1-b', 'v1', 20_002],
      ['catalog-v2-a', 'v2', 20_003],
    ] as const) {
      proxies.push(
        await bootstrapProxy({
          proxyApiUrl: controller.proxyApiUrl,
          trustBundleFile: controller.trustBundleFile,
          token: join_.token,
          id,
          version,
          port,
        }),
      );
    }

    t0 = Date.now();
    const frontend = (version: string) => key('shop/frontend', 'shop/catalog', version);
    await feed(t0 - 4 * MINUTE, { key: frontend('v1'), requests: 600, latencyMs: 20 });
    await feed(t0 - 2 * MINUTE, { key: frontend('v1'), requests: 400, latencyMs: 20 });
    await feed(t0 - 2 * MINUTE, { key: frontend('v2'), requests: 100, latencyMs: 30 });
    await feed(t0 - MINUTE, {
      key: key('shop/reviews', 'shop/catalog', 'v1'),
      requests: 30,
      latencyMs: 20,
    });
    await feed(t0 - MINUTE, {
      key: key('shop/frontend', 'shop/reviews', 'v1'),
      requests: 100,
      errors: 10,
      latencyMs: 50,
    });
    await feed(t0 - MINUTE, {
      key: key('shop/catalog', 'shop/inventory', 'v1'),
      requests: 50,
      latencyMs: 5,
    });
    await feed(t0 - 2 * HOUR, { key: frontend('v1'), requests: 70, latencyMs: 20 });
  });
  afterAll(async () => {
    await controller?.close();
  });

  it('lists routes with their rules and finds the canary split of the example mesh', async () => {
    const routes = await admin.routes.list.query();
    expect(routes.map((r) => [`${r.namespace}/${r.name}`, r.service, r.splitRuleIndex])).toEqual([
      ['shop/catalog', 'shop/catalog', 1],
      ['shop/reviews', 'shop/reviews', null],
    ]);
    const catalog = await admin.routes.get.query({ namespace: 'shop', name: 'catalog' });
    expect(catalog.rules[catalog.splitRuleIndex ?? -1]?.backends).toEqual([
      { service: 'shop/catalog', version: 'v1', weight: 90 },
      { service: 'shop/catalog', version: 'v2', weight: 10 },
    ]);
    expect(catalog.rules[0]?.matches).toEqual(['header x-weft-canary=always']);
    const missing = await admin.routes.get
      .query({ namespace: 'shop', name: 'nothing' })
      .catch((e: unknown) => e);
    expect(statusOf(missing)).toBe(404);
  });

  it('lists services with objectives, routes and live instances per version', async () => {
    const services = await admin.services.list.query();
    expect(services.map((s) => s.id)).toEqual([
      'shop/catalog',
      'shop/frontend',
      'shop/inventory',
      'shop/ratings',
      'shop/reviews',
    ]);
    expect(services[0]).toEqual({
      id: 'shop/catalog',
      namespace: 'shop',
      name: 'catalog',
      ports: [8080],
      versions: ['v1', 'v2', 'v3'],
      upstreams: ['shop/inventory'],
      routes: ['catalog'],
      routeRefs: [{ namespace: 'shop', name: 'catalog' }],
      objectives: { minSuccessRate: 0.99, maxP99Ms: 250 },
      instances: 3,
      instancesByVersion: { v1: 2, v2: 1 },
    });
    expect(services.find((s) => s.id === 'shop/frontend')).toMatchObject({
      instances: 0,
      objectives: null,
    });

    const detail = await admin.services.get.query({ service: 'shop/catalog' });
    expect(detail.routeResources.map((r) => r.metadata.name)).toEqual(['catalog']);
    expect(detail.trafficPolicy?.metadata.name).toBe('catalog');
    expect(detail.accessPolicies.map((p) => p.metadata.name)).toEqual(['catalog-callers']);
    expect(detail.proxies.map((p) => [p.id, p.version, p.live])).toEqual([
      ['catalog-v1-a', 'v1', true],
      ['catalog-v1-b', 'v1', true],
      ['catalog-v2-a', 'v2', true],
    ]);
    const missing = await admin.services.get
      .query({ service: 'shop/nothing' })
      .catch((e: unknown) => e);
    expect(statusOf(missing)).toBe(404);
  });

  it('shows the CA and each proxy’s current certificate with its renewal time, and follows a renewal', async () => {
    const before = await admin.certificates.inventory.query();
    expect(before.roots.map((r) => [r.status, r.authority])).toEqual([['VALID', 'signing']]);
    expect(before.intermediates.map((r) => [r.status, r.authority])).toEqual([
      ['VALID', 'signing'],
    ]);
    expect(before.roots[0]?.secondsToExpiry).toBeGreaterThan(300 * 86_400);
    expect(before.workloads.map((w) => w.proxyId).sort()).toEqual([
      'catalog-v1-a',
      'catalog-v1-b',
      'catalog-v2-a',
    ]);
    for (const w of before.workloads) {
      expect(w).toMatchObject({
        status: 'VALID',
        service: 'shop/catalog',
        identity: 'spiffe://weft.local/ns/shop/sa/catalog',
        renewalOverdue: false,
      });
      // The example mesh: 24 h certificates renewed at 0.66 of their lifetime.
      expect(w.notAfter - w.notBefore).toBe(24 * HOUR);
      expect(w.renewAt).toBe(w.notBefore + Math.round(0.66 * 24 * HOUR));
    }
    const soonest = Math.min(...before.workloads.map((w) => w.renewAt));
    expect(before.nextRenewal?.at).toBe(soonest);

    const renewing = proxies[0];
    if (renewing === undefined) throw new Error('no proxy');
    const oldSerial = before.workloads.find((w) => w.proxyId === renewing.id)?.serial;
    await renewing.renew();
    const after = await admin.certificates.inventory.query();
    const current = after.workloads.filter((w) => w.proxyId === renewing.id);
    expect(current.length).toBe(1);
    expect(current[0]?.serial).not.toBe(oldSerial);
    expect(after.workloads.length).toBe(3);
    // The full list still has the replaced certificate: only the inventory leaves it out.
    expect((await admin.certificates.list.query()).some((c) => c.serial === oldSerial)).toBe(true);
  });

  it('draws a service as a gap-free series at 10 s steps, per version, optionally one edge', async () => {
    const series = await admin.telemetry.series.query({ service: 'shop/catalog' });
    expect(series.stepSeconds).toBe(10);
    expect(series.total.length).toBe(90);
    series.total.forEach((p, i) => {
      if (i > 0) expect(p.t - (series.total[i - 1]?.t ?? 0)).toBe(10_000);
    });
    const busy = series.total.filter((p) => p.requests > 0);
    expect(busy.map((p) => [p.t, p.requests])).toEqual([
      [bucket(t0 - 4 * MINUTE), 600],
      [bucket(t0 - 2 * MINUTE), 500],
      [bucket(t0 - MINUTE), 30],
    ]);
    expect(busy[0]).toMatchObject({ requestsPerSecond: 60, successRate: 1 });
    expect(busy[0]?.p50).toBeGreaterThan(20 * 0.99);
    expect(busy[0]?.p50).toBeLessThan(20 * 1.01);
    const idle = series.total.find((p) => p.requests === 0);
    expect(idle).toMatchObject({ requestsPerSecond: 0, successRate: null, p99: null });
    expect(
      series.versions.map((v) => [v.version, v.points.reduce((n, p) => n + p.requests, 0)]),
    ).toEqual([
      ['v1', 1_030],
      ['v2', 100],
    ]);
    expect(series.versions.every((v) => v.points.length === 90)).toBe(true);

    const edge = await admin.telemetry.series.query({
      service: 'shop/catalog',
      source: 'shop/frontend',
    });
    expect(edge.total.reduce((n, p) => n + p.requests, 0)).toBe(1_100);

    const sixHours = await admin.telemetry.series.query({
      service: 'shop/catalog',
      windowSeconds: 6 * 3_600,
    });
    expect([sixHours.stepSeconds, sixHours.total.length]).toEqual([180, 120]);
    expect(sixHours.total.reduce((n, p) => n + p.requests, 0)).toBe(1_200);

    const tooShort = await admin.telemetry.series
      .query({ service: 'shop/catalog', windowSeconds: 30 })
      .catch((e: unknown) => e);
    expect(statusOf(tooShort)).toBe(400);
  });

  it('gives the mesh golden metrics and judges each service by its objectives', async () => {
    const overview = await admin.telemetry.overview.query();
    expect(overview).toMatchObject({ windowSeconds: 300, requests: 1_280, errors: 10 });
    expect(overview.successRate).toBeCloseTo(1_270 / 1_280, 10);
    expect(overview.requestsPerSecond).toBeCloseTo(1_280 / 300, 10);
    const byId = new Map(overview.services.map((s) => [s.id, s]));
    expect(byId.get('shop/catalog')).toMatchObject({
      requests: 1_130,
      successRate: 1,
      objective: { minSuccessRate: 0.99, maxP99Ms: 250 },
      meetsObjective: true,
      breaches: [],
    });
    expect(byId.get('shop/reviews')).toMatchObject({
      requests: 100,
      successRate: 0.9,
      objective: { minSuccessRate: 0.995, maxP99Ms: 500 },
      meetsObjective: false,
      breaches: ['successRate'],
    });
    expect(byId.get('shop/inventory')).toMatchObject({
      requests: 50,
      objective: null,
      meetsObjective: null,
    });
    expect(byId.get('shop/frontend')).toMatchObject({
      requests: 0,
      successRate: null,
      p99: null,
      meetsObjective: null,
    });
  });

  it('puts inbound totals on graph nodes and destination versions on edges', async () => {
    const graph = await admin.telemetry.graph.query({ windowSeconds: 300 });
    const catalog = graph.nodes.find((n) => n.id === 'shop/catalog');
    expect(catalog).toMatchObject({
      versions: ['v1', 'v2', 'v3'],
      requests: 1_130,
      successRate: 1,
    });
    expect(catalog?.requestsPerSecond).toBeCloseTo(1_130 / 300, 10);
    expect(catalog?.p99).toBeGreaterThan(0);
    const edge = graph.edges.find(
      (e) => e.source === 'shop/frontend' && e.destination === 'shop/catalog',
    );
    expect(edge).toMatchObject({ requests: 1_100, mtlsShare: 1 });
    expect(edge?.byVersion.map((v) => [v.version, v.requests, v.successRate])).toEqual([
      ['v1', 1_000, 1],
      ['v2', 100, 1],
    ]);
    expect(edge?.byVersion[1]?.p99).toBeGreaterThan(30 * 0.99);
  });
});
