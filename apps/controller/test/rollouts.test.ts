// Automated rollouts on a real controller and SQLite file, judged by telemetry uploaded over the
// proxy API: promotion through every step, rollback on errors and on latency, a manual gate,
// abort, the API's refusals, the CLI, and a restart in the middle of a run.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TRPCClientError } from '@trpc/client';
import type { HTTPRouteResource } from '@weft/mesh-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../src/cli/api-client.ts';
import type { RunningController } from '../src/controller.ts';
import { type AdminController, startAdminController } from './admin-controller.ts';
import { ROOT, waitFor } from './mesh-helpers.ts';
import { rolloutMesh, TelemetryFeeder, type Traffic } from './rollout-helpers.ts';

const TICK_MS = '50';
const HEALTHY: Traffic = { requests: 30, latencyMs: 20 };

type Client = AdminController['admin'];
type View = Awaited<ReturnType<Client['rollouts']['status']['query']>>;

function statusOf(error: unknown): number | undefined {
  return error instanceof TRPCClientError
    ? (error.data as { httpStatus?: number } | undefined)?.httpStatus
    : undefined;
}

/** A controller whose rollouts tick fast; `databaseFile` reopens the database of an earlier one. */
function startAt(databaseFile?: string): Promise<AdminController> {
  return startAdminController('rollouts', {
    WEFT_ROLLOUT_TICK_MS: TICK_MS,
    ...(databaseFile === undefined ? {} : { WEFT_DB: databaseFile }),
  });
}

/** The split rule's weights per version, as the route in force has them. */
async function splitWeights(client: Client, service: string): Promise<Record<string, number>> {
  const route = (await client.config.current.query()).find(
    (r) => r.kind === 'HTTPRoute' && r.metadata.name === service,
  ) as HTTPRouteResource | undefined;
  const split = route?.spec.rules.find((rule) => rule.name === 'split');
  return Object.fromEntries(split?.backendRefs.map((b) => [b.version ?? '', b.weight]) ?? []);
}

function until(client: Client, service: string, what: string, done: (view: View) => boolean) {
  return waitFor(
    what,
    async () => {
      const view = await client.rollouts.status.query({ namespace: 'shop', service });
      return done(view) ? view : undefined;
    },
    () => client.rollouts.status.query({ namespace: 'shop', service }),
  );
}

/** Join tokens for the feeder's proxies, one per proxy, made by the admin. */
const tokensFrom = (client: Client) => async (service: string) =>
  (await client.tokens.create.mutate({ service, namespace: 'shop' })).token;

const rolloutRevisions = async (client: Client, service: string) =>
  (await client.revisions.list.query({ limit: 200 }))
    .filter((r) => r.author === `rollout/${service}`)
    .reverse();

describe('rollouts', () => {
  let controller: RunningController;
  let admin: Client;
  let adminToken: string;
  let feeder: TelemetryFeeder;

  beforeAll(async () => {
    ({ controller, admin, token: adminToken } = await startAt());
    await admin.config.applyYaml.mutate({
      yaml: rolloutMesh({
        catalog: { steps: '[{ setWeight: 20 }, { pause: { duration: 1s } }, { setWeight: 50 }]' },
        reviews: { steps: '[{ setWeight: 20 }, { pause: { duration: 1m } }, { setWeight: 50 }]' },
        search: { steps: '[{ setWeight: 20 }, { pause: { duration: 1m } }, { setWeight: 50 }]' },
        cart: { steps: '[{ setWeight: 30 }, { pause: {} }, { setWeight: 60 }]' },
        payments: { steps: '[{ setWeight: 40 }, { pause: { duration: 1m } }]' },
        inventory: { steps: '[{ setWeight: 10 }, { pause: { duration: 1m } }]' },
      }),
    });
    feeder = await TelemetryFeeder.join(
      () => controller.proxyApiUrl,
      controller.trustBundleFile,
      tokensFrom(admin),
    );
    await admin.users.create.mutate({
      username: 'vera',
      password: 'viewer password 1',
      role: 'VIEWER',
    });
    await admin.users.create.mutate({
      username: 'otto',
      password: 'operator password 1',
      role: 'OPERATOR',
    });
    feeder.start();
  });
  afterAll(async () => {
    await feeder?.stop();
    await controller?.close();
  });

  it('promotes through every step to 100%, adding the canary to the route at 0% first', async () => {
    feeder.traffic.set('catalog', { v1: HEALTHY, v2: HEALTHY });
    const { token } = await apiClient({ server: controller.apiUrl }).auth.login.mutate({
      username: 'otto',
      password: 'operator password 1',
      mode: 'token',
    });
    const operator = apiClient({ server: controller.apiUrl, token: token ?? '' });
    const started = await operator.rollouts.start.mutate({ namespace: 'shop', service: 'catalog' });
    expect(started).toMatchObject({
      phase: 'PROGRESSING',
      stableVersion: 'v1',
      canaryVersion: 'v2',
      route: 'catalog',
      startedBy: 'otto',
      totalSteps: 3,
      steps: ['setWeight 20', 'pause 1s', 'setWeight 50'],
    });

    const done = await until(operator, 'catalog', 'promotion', (v) => v.phase === 'SUCCEEDED');
    expect(done).toMatchObject({ step: 3, weights: { stable: 0, canary: 100 }, active: false });
    expect(await splitWeights(admin, 'catalog')).toEqual({ v1: 0, v2: 100 });

    // Each weight was held until an analysis at that weight passed, with both versions measured.
    const passed = done.analyses.filter((a) => a.verdict === 'passed');
    expect(passed.map((a) => a.canaryWeight)).toEqual(expect.arrayContaining([20, 50]));
    for (const a of passed) {
      expect(a.canary).toMatchObject({ version: 'v2', successRate: 1 });
      expect(a.canary.requests).toBeGreaterThanOrEqual(10);
      expect(a.canary.p99Ms).toBeLessThan(300);
      expect(a.stable).toMatchObject({ version: 'v1', successRate: 1 });
      expect(a.stable.requests).toBeGreaterThan(0);
    }

    const revisions = await rolloutRevisions(admin, 'catalog');
    expect(revisions.map((r) => [r.source, r.message])).toEqual([
      ['ROLLOUT', 'rollout shop/catalog started: v2 0%, v1 100%'],
      ['ROLLOUT', 'rollout shop/catalog step 1/3: v2 20%, v1 80%'],
      ['ROLLOUT', 'rollout shop/catalog step 3/3: v2 50%, v1 50%'],
      ['ROLLOUT', 'rollout shop/catalog succeeded: v2 100%, v1 0%'],
    ]);
    const first = await admin.revisions.get.query({ id: revisions[0]?.id ?? 0 });
    const route = first?.resources.find(
      (r) => r.kind === 'HTTPRoute' && r.metadata.name === 'catalog',
    );
    expect(route?.kind === 'HTTPRoute' && route.spec.rules.map((rule) => rule.backendRefs)).toEqual(
      [
        [{ name: 'catalog', version: 'v3', weight: 1 }],
        [
          { name: 'catalog', version: 'v1', weight: 100 },
          { name: 'catalog', version: 'v2', weight: 0 },
        ],
      ],
    );

    const audit = (await admin.audit.list.query({ limit: 200 }))
      .filter((e) => e.target === 'Rollout/shop/catalog')
      .reverse();
    expect(audit.map((e) => [e.actor, e.action])).toEqual([
      ['otto', 'rollouts.start'],
      ['rollout/catalog', 'rollouts.step'],
      ['rollout/catalog', 'rollouts.step'],
      ['rollout/catalog', 'rollouts.step'],
      ['rollout/catalog', 'rollouts.promote'],
    ]);
    expect(audit[2]?.detail).toMatchObject({ summary: 'step 2/3: pause 1s' });
  });

  it('rolls back when the canary fails, naming its error rate beside the stable one', async () => {
    feeder.traffic.set('reviews', { v1: HEALTHY, v2: { requests: 30, errorRate: 0.3 } });
    await admin.rollouts.start.mutate({ namespace: 'shop', service: 'reviews' });
    const done = await until(admin, 'reviews', 'rollback', (v) => !v.active);
    expect(done).toMatchObject({
      phase: 'ROLLED_BACK',
      failures: 2,
      weights: { stable: 100, canary: 0 },
    });
    expect(done.reason).toMatch(
      /^canary v2 success rate 70\.0% < 95\.0% over 1 s \(stable 100\.0%\)$/,
    );
    expect(done.analyses.filter((a) => a.verdict === 'failed')).toHaveLength(2);
    expect(await splitWeights(admin, 'reviews')).toEqual({ v1: 100, v2: 0 });
    const last = (await rolloutRevisions(admin, 'reviews')).at(-1);
    expect(last?.message).toBe('rollout shop/reviews rolled back: v2 0%, v1 100%');
  });

  it('rolls back when the canary is slow, naming its p99 beside the stable one', async () => {
    feeder.traffic.set('search', { v1: HEALTHY, v2: { requests: 30, latencyMs: 800 } });
    await admin.rollouts.start.mutate({ namespace: 'shop', service: 'search' });
    const done = await until(admin, 'search', 'rollback', (v) => !v.active);
    expect(done.phase).toBe('ROLLED_BACK');
    expect(done.reason).toMatch(/^canary v2 p99 (\d+) ms > 300 ms over 1 s \(stable p99 \d+ ms\)$/);
    const p99 = Number(/p99 (\d+) ms/.exec(done.reason ?? '')?.[1]);
    expect(p99).toBeGreaterThan(1_000);
    expect(await splitWeights(admin, 'search')).toEqual({ v1: 100, v2: 0 });
  });

  it('waits at a manual gate until an operator resumes', async () => {
    feeder.traffic.set('cart', { v1: HEALTHY, v2: HEALTHY });
    await admin.rollouts.start.mutate({ namespace: 'shop', service: 'cart' });
    const gated = await until(admin, 'cart', 'the gate', (v) => v.phase === 'PAUSED');
    expect(gated).toMatchObject({ pause: 'GATE', step: 2, weights: { canary: 30 } });
    expect(gated.reason).toBe('waiting at step 2/3 for an operator: weft rollout resume cart');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const still = await admin.rollouts.status.query({ namespace: 'shop', service: 'cart' });
    expect(still).toMatchObject({ phase: 'PAUSED', step: 2, weights: { canary: 30 } });
    // Analyses go on at the gate: the canary still takes traffic.
    expect(still.analyses.length).toBeGreaterThan(gated.analyses.length);

    const resumed = await admin.rollouts.resume.mutate({ namespace: 'shop', service: 'cart' });
    expect(resumed).toMatchObject({ phase: 'PROGRESSING', step: 3, weights: { canary: 60 } });
    await until(admin, 'cart', 'promotion', (v) => v.phase === 'SUCCEEDED');
    expect(await splitWeights(admin, 'cart')).toEqual({ v1: 0, v2: 100 });
  });

  it('aborts back to stable, and refuses what does not fit with 403, 404, 409 and 412', async () => {
    feeder.traffic.set('payments', { v1: HEALTHY, v2: HEALTHY });
    const target = { namespace: 'shop', service: 'payments' };
    const { token } = await apiClient({ server: controller.apiUrl }).auth.login.mutate({
      username: 'vera',
      password: 'viewer password 1',
      mode: 'token',
    });
    const viewer = apiClient({ server: controller.apiUrl, token: token ?? '' });
    expect(statusOf(await viewer.rollouts.start.mutate(target).catch((e: unknown) => e))).toBe(403);
    expect(statusOf(await admin.rollouts.status.query(target).catch((e: unknown) => e))).toBe(404);
    expect(
      statusOf(
        await admin.rollouts.start
          .mutate({ namespace: 'shop', service: 'nope' })
          .catch((e: unknown) => e),
      ),
    ).toBe(404);
    const noVersion = await admin.rollouts.start
      .mutate({ ...target, canaryVersion: 'v9' })
      .catch((e: unknown) => e);
    expect(statusOf(noVersion)).toBe(412);
    expect((noVersion as Error).message).toContain('has no version "v9" (it has v1, v2, v3)');
    expect(statusOf(await admin.rollouts.abort.mutate(target).catch((e: unknown) => e))).toBe(404);

    await admin.rollouts.start.mutate(target);
    const again = await admin.rollouts.start.mutate(target).catch((e: unknown) => e);
    expect(statusOf(again)).toBe(409);
    expect(statusOf(await admin.rollouts.resume.mutate(target).catch((e: unknown) => e))).toBe(412);
    await until(
      admin,
      'payments',
      'the first weight',
      (v) => v.weights.canary === 40 && v.step === 2,
    );
    expect(await splitWeights(admin, 'payments')).toEqual({ v1: 60, v2: 40 });

    const aborted = await admin.rollouts.abort.mutate(target);
    expect(aborted).toMatchObject({
      phase: 'ABORTED',
      weights: { stable: 100, canary: 0 },
      reason: 'aborted by root at step 2/2',
    });
    expect(await splitWeights(admin, 'payments')).toEqual({ v1: 100, v2: 0 });
    expect(statusOf(await admin.rollouts.pause.mutate(target).catch((e: unknown) => e))).toBe(404);
    // A finished run frees the service for the next one.
    const next = await admin.rollouts.start.mutate({ ...target, canaryVersion: 'v3' });
    expect(next).toMatchObject({ canaryVersion: 'v3', phase: 'PROGRESSING' });
    await admin.rollouts.abort.mutate(target);
  });

  it('serves the CLI: rollout start --wait with a canary version, status as a table and as JSON, abort', async () => {
    feeder.traffic.set('inventory', { v1: HEALTHY, v3: HEALTHY });
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(ROOT, 'bin/weft.js'), ...args], {
        cwd: ROOT,
        env: { ...process.env, WEFT_SERVER: controller.apiUrl, WEFT_TOKEN: adminToken },
      });
    // Follows the run until it ends; it will be aborted, so it exits 1.
    const waiting = run('rollout', 'start', 'inventory', 'v3', '-n', 'shop', '--wait').catch(
      (e: unknown) => e as { code?: number; stdout: string; stderr: string },
    );
    await until(admin, 'inventory', 'an analysis', (v) => v.analyses.length > 0);
    const json = JSON.parse(
      (await run('rollout', 'status', 'inventory', '-n', 'shop', '-o', 'json')).stdout,
    ) as View;
    expect(json).toMatchObject({ service: 'inventory', canaryVersion: 'v3', stableVersion: 'v1' });
    const table = (await run('rollout', 'status', 'inventory', '-n', 'shop')).stdout;
    expect(table).toMatch(/^STATE {5}Progressing at step [12] of 2/m);
    expect(table).toMatch(/^TIME +STEP +WEIGHT +VERDICT +CANARY v3 +STABLE v1$/m);
    const aborted = await run('rollout', 'abort', 'inventory', '-n', 'shop');
    expect(aborted.stdout).toContain('shop/inventory: Aborted at step');

    const followed = await waiting;
    expect(followed).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^Error: rollout ended Aborted: aborted by root at step \d\/2\n$/,
      ),
    });
    expect(followed.stdout).toMatch(
      /^rollout \d+ of shop\/inventory: v3 against v1 in 2 steps \(setWeight 10 -> pause 1m\)\n/,
    );
    expect(followed.stdout).toContain('Progressing at step 1 of 2: setWeight 10; v3 10%');
    expect(followed.stdout).toMatch(
      /Aborted at step \d of 2: .*; v3 0% \(aborted by root at step \d\/2\)\n$/,
    );

    const refused = await run('rollout', 'resume', 'inventory', '-n', 'shop').catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({
      code: 1,
      stderr: 'an active rollout of shop/inventory does not exist\n',
    });
    // Five CLI processes, each loading the CLI through tsx: slow on a busy two-core machine.
  }, 90_000);
});

describe('rollouts across a controller restart', () => {
  let controller: RunningController | undefined;
  let feeder: TelemetryFeeder | undefined;
  afterAll(async () => {
    await feeder?.stop();
    await controller?.close();
  });

  it('resumes from the database where the run was', async () => {
    let started = await startAt();
    const file = join(started.dir, 'weft.db');
    controller = started.controller;
    await started.admin.config.applyYaml.mutate({
      yaml: rolloutMesh({
        catalog: {
          steps:
            '[{ setWeight: 20 }, { pause: { duration: 2s } }, { setWeight: 50 }, { pause: {} }]',
        },
      }),
    });
    feeder = await TelemetryFeeder.join(
      () => controller?.proxyApiUrl ?? '',
      controller.trustBundleFile,
      tokensFrom(started.admin),
    );
    feeder.traffic.set('catalog', { v1: HEALTHY, v2: HEALTHY });
    feeder.start();

    await started.admin.rollouts.start.mutate({ namespace: 'shop', service: 'catalog' });
    const before = await until(started.admin, 'catalog', 'the timed pause', (v) => v.step === 2);
    await controller.close();
    controller = undefined;
    const stoppedAt = Date.now();
    // The 2 s pause runs out while no controller is there.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    started = await startAt(file);
    controller = started.controller;
    const gated = await until(started.admin, 'catalog', 'the gate', (v) => v.phase === 'PAUSED');
    expect(gated).toMatchObject({ id: before.id, step: 4, pause: 'GATE', weights: { canary: 50 } });
    // It went on from step 2: nothing before it was done again.
    expect((await rolloutRevisions(started.admin, 'catalog')).map((r) => r.message)).toEqual([
      'rollout shop/catalog started: v2 0%, v1 100%',
      'rollout shop/catalog step 1/4: v2 20%, v1 80%',
      'rollout shop/catalog step 3/4: v2 50%, v1 50%',
    ]);
    const step3 = (await rolloutRevisions(started.admin, 'catalog')).at(-1);
    expect(new Date(step3?.createdAt ?? 0).getTime()).toBeGreaterThan(stoppedAt);

    await started.admin.rollouts.resume.mutate({ namespace: 'shop', service: 'catalog' });
    await until(started.admin, 'catalog', 'promotion', (v) => v.phase === 'SUCCEEDED');
    expect(await splitWeights(started.admin, 'catalog')).toEqual({ v1: 0, v2: 100 });
  });
});
