// Fault under load: the controller stops (SIGTERM) and comes back on the same database. The data
// plane must not notice: 0 failed requests while it is away and while the proxies reconnect, and
// a change made after the restart reaches them. `npm test` stops it for 10 s;
// `npm run reliability:long` (WEFT_RELIABILITY_LONG=1) for the 60 s.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient } from '../src/cli/api-client.ts';
import { type RunningController, startController } from '../src/controller.ts';
import { openDatabase } from '../src/db/database.ts';
import { readEnv } from '../src/env.ts';
import { ProxyRepository } from '../src/repositories/proxies.ts';
import { MESH } from './mesh-helpers.ts';
import { bootstrapProxy } from './proxy-api-client.ts';
import { meshYaml, ReliabilityMesh, sleep } from './reliability/mesh.ts';
import { OpenLoopLoad } from './reliability/open-loop.ts';
import { stablePort } from './reliability/processes.ts';
import { chooseRate, recordResult, reliabilitySettings } from './reliability/scenario.ts';

const settings = reliabilitySettings();
const WARMUP_MS = 2_000;
const AFTER_MS = 3_000;
/** Proxies back off up to 30 s between reconnects, with jitter. */
const RECONNECT_TIMEOUT_MS = 45_000;

describe('reliability: controller outage under load', () => {
  let mesh: ReliabilityMesh | undefined;
  afterAll(async () => {
    await mesh?.close();
  });

  it(
    `serves every request while the controller is down for ${settings.controllerStopS} s, then resyncs`,
    async () => {
      mesh = await ReliabilityMesh.start({
        name: 'controller-outage',
        proxyBin: settings.proxyBin,
      });
      const chosen = await chooseRate(mesh, settings);
      const load = new OpenLoopLoad({ url: mesh.url, rate: chosen.rate });
      await sleep(WARMUP_MS);

      load.mark('controller-stopped');
      await mesh.controller.stop('SIGTERM');
      await sleep(settings.controllerStopS * 1_000);
      const restartedAt = new Date();
      load.mark('controller-started');
      await mesh.controller.start();
      await mesh.waitSynced(
        (fleet) => fleet.length === 3 && fleet.every((p) => p.lastHeartbeatAt >= restartedAt),
        RECONNECT_TIMEOUT_MS,
      );
      load.mark('proxies-reconnected');

      // A change made after the restart is pushed and applied: route everything to v2.
      const applied = await mesh.api.config.applyYaml.mutate({
        yaml: meshYaml(mesh.localPort, {
          rules: '    - backendRefs: [{ name: server, version: v2 }]',
        }),
        message: 'after the restart',
      });
      await mesh.waitSynced((fleet) =>
        fleet.some(
          (p) => p.id === 'client-1' && p.ackedVersion?.startsWith(`r${applied.revision}.`),
        ),
      );
      load.mark('change-applied');
      await sleep(AFTER_MS);
      const report = await load.stop();
      const answers = new Set<string>();
      for (let i = 0; i < 10; i++) answers.add(await (await fetch(mesh.url)).text());

      await recordResult('controller-outage', {
        chosen,
        load: report,
        controllerStopS: settings.controllerStopS,
      });
      expect(report.failures).toEqual({});
      expect(report.sent).toBeGreaterThan(chosen.rate * settings.controllerStopS);
      expect([...answers]).toEqual(['server-2']);
    },
    90_000 + settings.controllerStopS * 1_000,
  );
});

describe('controller restart after an outage longer than the proxy expiry', () => {
  let controller: RunningController | undefined;
  afterAll(async () => {
    await controller?.close();
  });

  it('gives the first proxy back every instance that was live when the controller went away', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-outage-grace-'));
    const env = readEnv({
      WEFT_DB: join(dir, 'weft.db'),
      WEFT_API_PORT: String(await stablePort()),
      WEFT_PROXY_API_PORT: String(await stablePort()),
      WEFT_ADMIN_USERNAME: 'root',
      WEFT_ADMIN_PASSWORD: 'correct horse battery staple',
    });
    controller = await startController(env, pino({ level: 'silent' }));
    const { token } = await apiClient({ server: controller.apiUrl }).auth.login.mutate({
      username: 'root',
      password: 'correct horse battery staple',
      mode: 'token',
    });
    const api = apiClient({ server: controller.apiUrl, token: token ?? '' });
    await api.config.applyYaml.mutate({ yaml: MESH(19_001, 50, 50) });
    const tokenFor = async (service: string) =>
      (await api.tokens.create.mutate({ service, namespace: 'shop', maxUses: 2 })).token;
    const common = {
      proxyApiUrl: controller.proxyApiUrl,
      trustBundleFile: controller.trustBundleFile,
    };
    const client = await bootstrapProxy({
      ...common,
      token: await tokenFor('client'),
      id: 'client-1',
      port: 15_001,
    });
    const serverToken = await tokenFor('server');
    for (const [id, version, port] of [
      ['server-1', 'v1', 15_002],
      ['server-2', 'v2', 15_003],
    ] as const)
      await bootstrapProxy({ ...common, token: serverToken, id, version, port });
    await controller.close();
    controller = undefined;

    // The fleet was heard from until the controller stopped, a minute ago.
    const opened = await openDatabase(env.WEFT_DB);
    const registry = new ProxyRepository(opened.db);
    const aMinuteAgo = new Date(Date.now() - 60_000);
    for (const id of ['client-1', 'server-1', 'server-2']) await registry.heartbeat(id, aMinuteAgo);
    await opened.db.$disconnect();

    controller = await startController(env, pino({ level: 'silent' }));
    const watched = await client.watch();
    watched.close();
    const snapshot = watched.snapshot as unknown as {
      clusters: { name: string; endpoints: { workload: string }[] }[];
    };
    expect(
      snapshot.clusters.map((c) => [c.name, c.endpoints.map((e) => e.workload)]).sort(),
    ).toEqual([
      ['server.shop.v1', ['server-1']],
      ['server.shop.v2', ['server-2']],
    ]);
  }, 60_000);
});
