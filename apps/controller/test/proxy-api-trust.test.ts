// The proxy API's trust boundary, over real TLS: a workload acts only for the identity in its
// certificate (its registry rows, its renewals, its telemetry); every refusal is a 4xx with a
// reason, consumes nothing and is audited; operators and the controller remove proxies that are
// gone; silent connections are closed while a healthy watch stream is kept.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCsr, generateKeyPair } from '@weft/pki';
import { type Reporter, TrafficWindow } from '@weft/telemetry';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from '../src/controller.ts';
import type { RolloutPlan } from '../src/rollouts/plan.ts';
import { startRun } from '../src/rollouts/state-machine.ts';
import { analyzeFromTelemetry } from '../src/rollouts/telemetry-analysis.ts';
import { type AdminController, startAdminController } from './admin-controller.ts';
import { nearlyInput } from './hostile-inputs.ts';
import { ROOT, waitFor } from './mesh-helpers.ts';
import { bootstrapProxy, proxyApiJson, type TestProxy } from './proxy-api-client.ts';

const MESH = join(ROOT, 'examples/mesh.yaml');

/** A bootstrap request as a proxy sends it, with a CSR that may ask for an identity. */
async function bootstrapBody(token: string, id: string, port: number, spiffeId?: string) {
  const keys = await generateKeyPair();
  return {
    token,
    csr: await createCsr({ ...keys, ...(spiffeId === undefined ? {} : { spiffeId }) }),
    workload: { id, version: 'v1', address: '127.0.0.1', port },
  };
}

interface SeriesSpec {
  readonly source: string;
  readonly destination: string;
  readonly version: string;
  readonly calls: number;
  /** The caller's side unless said; the destination side is what a canary is judged on. */
  readonly reporter?: Reporter;
  readonly status?: number;
}

/** A batch as a proxy drains it: `calls` per traffic key, half a second apart in latency. */
function batch(proxyId: string, series: SeriesSpec[]) {
  const window = new TrafficWindow();
  for (const s of series) {
    const status = s.status ?? 200;
    for (let i = 0; i < s.calls; i++) {
      window.record(
        {
          reporter: s.reporter ?? 'source',
          source: s.source,
          destination: s.destination,
          destinationVersion: s.version,
          route: s.reporter === 'destination' ? '' : `HTTPRoute/${s.destination} rules[0]`,
          statusClass: `${Math.floor(status / 100)}xx`,
        },
        status,
        5 + i,
        0,
        100,
      );
    }
  }
  return window.drain(proxyId, Date.now());
}

describe('the proxy API trusts a workload only for its own identity', () => {
  let controller: RunningController;
  let admin: AdminController['admin'];
  let adminToken: string;
  let ca: string;
  let catalogToken: string;
  let frontendToken: string;
  let catalog: TestProxy;
  let frontend: TestProxy;

  const post = (path: string, body: unknown, proxy?: TestProxy, asId?: string) =>
    proxyApiJson({
      proxyApiUrl: controller.proxyApiUrl,
      ca,
      path,
      body,
      ...(proxy === undefined
        ? {}
        : { credentials: proxy.credentials(), headers: { 'x-weft-proxy-id': asId ?? proxy.id } }),
    });
  const weft = (args: string[]) =>
    promisify(execFile)(process.execPath, [join(ROOT, 'bin/weft.js'), ...args], {
      env: { ...process.env, WEFT_SERVER: controller.apiUrl, WEFT_TOKEN: adminToken },
    });
  const row = async (id: string) => (await admin.proxies.list.query()).find((p) => p.id === id);
  const denied = async (action: string, target: string) =>
    (await admin.audit.list.query({ target, limit: 100 })).filter(
      (e) => e.action === action && e.outcome === 'DENIED',
    );
  const uses = async (service: string) =>
    (await admin.tokens.list.query()).find((t) => t.service === service)?.uses;

  beforeAll(async () => {
    ({ controller, admin, token: adminToken } = await startAdminController('proxy-trust'));
    await admin.config.applyYaml.mutate({ yaml: await readFile(MESH, 'utf8'), file: 'mesh.yaml' });
    ca = await readFile(controller.trustBundleFile, 'utf8');
    catalogToken = (await admin.tokens.create.mutate({ service: 'catalog', namespace: 'shop' }))
      .token;
    frontendToken = (await admin.tokens.create.mutate({ service: 'frontend', namespace: 'shop' }))
      .token;
    const join = (token: string, id: string, port: number) =>
      bootstrapProxy({
        proxyApiUrl: controller.proxyApiUrl,
        trustBundleFile: controller.trustBundleFile,
        token,
        id,
        version: 'v1',
        port,
      });
    catalog = await join(catalogToken, 'catalog-1', 21_001);
    frontend = await join(frontendToken, 'frontend-1', 21_002);
  }, 60_000);
  afterAll(async () => {
    await controller?.close();
  });

  it('refuses to register an id held by another identity (409, audited), leaving the row and the token as they were', async () => {
    const before = await row('catalog-1');
    const usesBefore = await uses('frontend');
    const takeover = await post(
      '/v1/bootstrap',
      await bootstrapBody(frontendToken, 'catalog-1', 29_999),
    );
    expect(takeover.status).toBe(409);
    expect(JSON.stringify(takeover.body)).toContain('catalog-1 is registered for shop/catalog');
    expect(await row('catalog-1')).toEqual(before);
    expect(await uses('frontend')).toBe(usesBefore);
    expect((await catalog.post('/v1/heartbeat', {})).status).toBe(200);
    const audits = await denied('proxy.bootstrap', 'proxy/catalog-1');
    expect(audits[0]?.detail).toMatchObject({ reason: expect.stringContaining('shop/catalog') });
    expect(audits[0]?.actor).toContain('catalog-1');
  });

  it('lets a proxy of the same identity bootstrap its own id again (a lost state dir)', async () => {
    const again = await post(
      '/v1/bootstrap',
      await bootstrapBody(catalogToken, 'catalog-1', 21_001),
    );
    expect(again.status).toBe(200);
    expect((await row('catalog-1'))?.service).toBe('catalog');
  });

  it('refuses a bootstrap CSR for another identity with 400, audited, without using the token', async () => {
    const once = await admin.tokens.create.mutate({
      service: 'inventory',
      namespace: 'shop',
      maxUses: 1,
    });
    const forged = await post(
      '/v1/bootstrap',
      await bootstrapBody(
        once.token,
        'inventory-1',
        21_003,
        'spiffe://weft.local/ns/shop/sa/frontend',
      ),
    );
    expect([forged.status, JSON.stringify(forged.body)]).toEqual([
      400,
      expect.stringContaining('spiffe://weft.local/ns/shop/sa/frontend'),
    ]);
    expect(await uses('inventory')).toBe(0);
    expect(await denied('proxy.bootstrap', 'proxy/inventory-1')).toHaveLength(1);
    // The one use is still there for an honest request.
    const honest = await post(
      '/v1/bootstrap',
      await bootstrapBody(once.token, 'inventory-1', 21_003),
    );
    expect(honest.status).toBe(200);
  });

  it('refuses a renewal CSR for another identity with 400, audited, and keeps the certificate', async () => {
    const before = (await row('frontend-1'))?.certificateSerial;
    const keys = await generateKeyPair();
    const forged = await post(
      '/v1/renew',
      { csr: await createCsr({ ...keys, spiffeId: 'spiffe://weft.local/ns/shop/sa/catalog' }) },
      frontend,
    );
    expect(forged.status).toBe(400);
    expect(JSON.stringify(forged.body)).toContain('spiffe://weft.local/ns/shop/sa/catalog');
    expect((await row('frontend-1'))?.certificateSerial).toBe(before);
    expect(await denied('proxy.renew', 'proxy/frontend-1')).toHaveLength(1);
  });

  it("refuses every call for another identity's proxy id (401, audited)", async () => {
    for (const path of ['/v1/heartbeat', '/v1/ack', '/v1/renew', '/v1/telemetry']) {
      const answer = await post(path, {}, frontend, 'catalog-1');
      expect([path, answer.status]).toEqual([path, 401]);
    }
    expect((await denied('proxy.heartbeat', 'proxy/catalog-1')).length).toBeGreaterThan(0);
  });

  it("refuses telemetry that is not the reporting proxy's own observation, and no figure a rollout reads changes", async () => {
    const figures = async () => ({
      catalog: await admin.telemetry.byVersion.query({
        service: 'shop/catalog',
        windowSeconds: 3_600,
      }),
      graph: await admin.telemetry.graph.query({ windowSeconds: 3_600 }),
    });
    const before = await figures();
    const refusedBefore = (await denied('proxy.telemetry', 'proxy/catalog-1')).length;
    /** One series of catalog-1's batch, changed by `forge`. */
    const forged = (
      series: SeriesSpec,
      forge: (s: Record<string, unknown>, b: Record<string, unknown>) => void = () => undefined,
    ) => {
      const sent = batch('catalog-1', [series]) as unknown as Record<string, unknown>;
      forge((sent.series as Record<string, unknown>[])[0] as Record<string, unknown>, sent);
      return sent;
    };
    const own = { source: 'shop/catalog', destination: 'shop/inventory', version: 'v1', calls: 10 };
    const cases: [string, Record<string, unknown>, number, string][] = [
      [
        "catalog's certificate claiming frontend's calls",
        forged({ ...own, source: 'shop/frontend', destination: 'shop/catalog', version: 'v2' }),
        403,
        'shop/frontend',
      ],
      ['a made-up destination', forged({ ...own, destination: 'shop/made-up' }), 422, 'made-up'],
      [
        'more errors than requests (a success rate of -499)',
        forged(own, (series) => {
          series.errors = 5_000;
        }),
        422,
        'errors (5000)',
      ],
      [
        'a sketch that does not hold the requests claimed',
        forged(own, (series) => {
          series.requests = 1_000_000;
        }),
        422,
        'measurements',
      ],
      [
        'a sketch that is not one',
        forged(own, (series) => {
          series.latency = 'not a sketch';
        }),
        422,
        'no readable sketch',
      ],
      [
        'a window an hour ahead, pre-filling the buckets an analysis will read',
        forged(own, (_, sent) => {
          sent.windowStart = Date.now() + 3_600_000;
          sent.windowEnd = Date.now() + 3_610_000;
        }),
        422,
        "after the controller's clock",
      ],
    ];
    for (const [what, body, status, reason] of cases) {
      const answer = await post('/v1/telemetry', body, catalog);
      expect([what, answer.status, JSON.stringify(answer.body)]).toEqual([
        what,
        status,
        expect.stringContaining(reason),
      ]);
    }

    expect(await figures()).toEqual(before);
    expect((await denied('proxy.telemetry', 'proxy/catalog-1')).length - refusedBefore).toBe(6);

    // Its own calls, as it saw them, are merged.
    expect(await post('/v1/telemetry', forged(own), catalog)).toEqual({
      status: 200,
      body: { merged: true },
    });
  });

  it("judges a canary on its own proxies' reports: a caller's report moves no verdict, and a callee speaks only for its service and version", async () => {
    const { token } = await admin.tokens.create.mutate({ service: 'catalog', namespace: 'shop' });
    const canary = await bootstrapProxy({
      proxyApiUrl: controller.proxyApiUrl,
      trustBundleFile: controller.trustBundleFile,
      token,
      id: 'catalog-canary',
      version: 'v2',
      port: 21_003,
    });
    const answered = (version: string, calls: number): SeriesSpec => ({
      reporter: 'destination',
      source: 'shop/frontend',
      destination: 'shop/catalog',
      version,
      calls,
    });
    for (const [proxy, version] of [
      [catalog, 'v1'],
      [canary, 'v2'],
    ] as const) {
      const sent = batch(proxy.id, [answered(version, 20)]);
      expect((await post('/v1/telemetry', sent, proxy)).status).toBe(200);
    }
    const plan: RolloutPlan = {
      namespace: 'shop',
      service: 'catalog',
      rollout: 'catalog',
      route: 'catalog',
      stableVersion: 'v1',
      canaryVersion: 'v2',
      steps: [{ kind: 'weight', weight: 20 }],
      analysis: {
        intervalMs: 3_600_000,
        minSuccessRate: 0.99,
        maxP99LatencyMs: null,
        minRequests: 1,
        failureLimit: 1,
      },
      rollbackOnFailure: true,
    };
    const now = new Date();
    const state = startRun(plan, now).state;
    const analysis = () => analyzeFromTelemetry(controller.services.telemetry, plan, state, now);
    const before = await analysis();
    expect(before).toMatchObject({
      verdict: 'passed',
      canary: { version: 'v2', requests: 20, errors: 0 },
      stable: { version: 'v1', requests: 20, errors: 0 },
    });

    // frontend's own calls to the canary, every one failed: merged (the console shows them), but
    // they are the caller's word, and a verdict is the callee's.
    const failing = { source: 'shop/frontend', destination: 'shop/catalog', version: 'v2' };
    const blame = batch(frontend.id, [{ ...failing, calls: 500, status: 503 }]);
    expect((await post('/v1/telemetry', blame, frontend)).status).toBe(200);
    const shown = await admin.telemetry.byVersion.query({
      service: 'shop/catalog',
      windowSeconds: 3_600,
    });
    expect(shown.find((v) => v.version === 'v2')).toMatchObject({ requests: 500, errors: 500 });
    expect(await analysis()).toEqual(before);

    // Calls the canary answered in plaintext (PERMISSIVE mode) come from no one it verified.
    const unverified = { ...answered('v2', 50), source: 'unauthenticated', status: 503 };
    expect((await post('/v1/telemetry', batch(canary.id, [unverified]), canary)).status).toBe(200);
    expect(await analysis()).toEqual(before);

    // Nor may a proxy report another service's answers, or answers of a version it is not.
    const refusedBefore = (await denied('proxy.telemetry', 'proxy/frontend-1')).length;
    const cases: [string, TestProxy, ReturnType<typeof batch>, string][] = [
      [
        "frontend's proxy answering for catalog",
        frontend,
        batch(frontend.id, [{ ...answered('v2', 500), status: 503 }]),
        'reports only the calls it answered',
      ],
      [
        "the stable proxy answering for the canary's version",
        catalog,
        batch(catalog.id, [{ ...answered('v2', 500), status: 503 }]),
        'this proxy registered as version',
      ],
    ];
    for (const [what, proxy, body, reason] of cases) {
      const answer = await post('/v1/telemetry', body, proxy);
      expect([what, answer.status, JSON.stringify(answer.body)]).toEqual([
        what,
        403,
        expect.stringContaining(reason),
      ]);
    }
    expect(await analysis()).toEqual(before);
    expect((await denied('proxy.telemetry', 'proxy/frontend-1')).length - refusedBefore).toBe(1);
  });

  it('removes a proxy for an operator (weft proxy remove), audited: it leaves the endpoints and its calls are refused until it bootstraps again', async () => {
    const extra = await bootstrapProxy({
      proxyApiUrl: controller.proxyApiUrl,
      trustBundleFile: controller.trustBundleFile,
      token: catalogToken,
      id: 'catalog-2',
      version: 'v1',
      port: 21_009,
    });
    /** The snapshot frontend's proxy is sent now, as text. */
    const frontendSnapshot = async () => {
      const { text, close } = await frontend.watch();
      close();
      return text;
    };
    await waitFor('frontend to be sent catalog-2 as an endpoint', async () =>
      (await frontendSnapshot()).includes('"port":21009') ? true : undefined,
    );
    const stream = await extra.watch();

    const removed = await weft(['proxy', 'remove', 'catalog-2']);
    expect(removed).toEqual({ stdout: 'removed proxy catalog-2\n', stderr: '' });
    expect(await row('catalog-2')).toBeUndefined();
    const audit = await admin.audit.list.query({ target: 'proxy/catalog-2', limit: 20 });
    expect(audit.find((e) => e.action === 'proxies.remove')).toMatchObject({
      actor: 'root',
      outcome: 'OK',
    });
    await expect(admin.proxies.remove.mutate({ id: 'catalog-2' })).rejects.toThrow(
      'proxy catalog-2 does not exist',
    );
    await waitFor("the removed proxy's stream to end", async () =>
      stream.open() ? undefined : true,
    );
    expect((await extra.post('/v1/heartbeat', {})).status).toBe(401);
    await waitFor('frontend to be sent a snapshot without catalog-2', async () =>
      (await frontendSnapshot()).includes('"port":21009') ? undefined : true,
    );
  });

  it('answers arbitrary and nearly-right bodies on every path with a 4xx naming the problem, never a 500', async () => {
    const inputs: Record<string, readonly string[]> = {
      '/v1/bootstrap': ['token', 'csr', 'workload'],
      '/v1/ack': ['version', 'hash', 'error'],
      '/v1/renew': ['csr'],
      '/v1/telemetry': ['proxyId', 'sequence', 'windowStart', 'windowEnd', 'series'],
      '/v1/heartbeat': [],
      '/v1/nowhere': [],
    };
    const bodies = fc.oneof(
      ...Object.entries(inputs).map(([path, keys]) =>
        fc.tuple(fc.constant(path), nearlyInput(keys), fc.boolean()),
      ),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async ([path, body, signed]) => {
        const answer = await post(path, body, signed ? frontend : undefined);
        expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
        if (answer.status >= 400)
          expect(typeof (answer.body as { error?: unknown }).error).toBe('string');
      }),
      { numRuns: 150 },
    );
    expect((await row('frontend-1'))?.service).toBe('frontend');
    // Text the database cannot keep as sent (a lone surrogate, NUL) is refused, not a 500.
    const lone = await post(
      '/v1/bootstrap',
      await bootstrapBody(catalogToken, 'catalog-\uD800', 21_020),
    );
    expect(lone.status).toBe(400);
    const nul = await post('/v1/ack', { version: 'v', hash: 'h', error: 'nul \u0000' }, frontend);
    expect(nul.status).toBe(400);
  }, 120_000);

  it('closes a connection that stays silent, and keeps a watch stream open past that', async () => {
    const stream = await catalog.watch();
    const url = new URL(controller.proxyApiUrl);
    const started = Date.now();
    const silent = connect(Number(url.port), url.hostname);
    const closedAfter = await new Promise<number | 'still open'>((resolve) => {
      const give = setTimeout(() => resolve('still open'), 20_000);
      silent.once('close', () => {
        clearTimeout(give);
        resolve(Date.now() - started);
      });
    });
    silent.destroy();
    expect(closedAfter).not.toBe('still open');
    expect(closedAfter).toBeLessThan(15_000);
    expect(stream.open()).toBe(true);
    stream.close();
  }, 40_000);
});

describe('proxies gone for longer than WEFT_PROXY_REMOVE_AFTER_MS', () => {
  let controller: RunningController;
  let admin: AdminController['admin'];

  beforeAll(async () => {
    ({ controller, admin } = await startAdminController('proxy-sweep', {
      WEFT_PROXY_REMOVE_AFTER_MS: '1000',
    }));
    await admin.config.applyYaml.mutate({ yaml: await readFile(MESH, 'utf8'), file: 'mesh.yaml' });
  }, 60_000);
  afterAll(async () => {
    await controller?.close();
  });

  it('leave by themselves, audited, so a proxy that never connected does not block a root rotation', async () => {
    const token = await admin.tokens.create.mutate({ service: 'catalog', namespace: 'shop' });
    await bootstrapProxy({
      proxyApiUrl: controller.proxyApiUrl,
      trustBundleFile: controller.trustBundleFile,
      token: token.token,
      id: 'catalog-ghost',
      version: 'v1',
      port: 21_100,
    });
    await admin.certificates.prepareRootRotation.mutate();
    await waitFor('the ghost to be removed', async () =>
      (await admin.proxies.list.query()).length === 0 ? true : undefined,
    );
    const audit = await admin.audit.list.query({ target: 'proxy/catalog-ghost', limit: 20 });
    expect(audit.find((e) => e.action === 'proxies.remove')).toMatchObject({
      actor: 'controller',
      outcome: 'OK',
    });
    await expect(admin.certificates.activateRootRotation.mutate()).resolves.toBeDefined();
  }, 30_000);
});
