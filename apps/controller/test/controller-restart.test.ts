// The data plane outlives its control plane: traffic continues while the controller is down,
// and when it comes back on the same database the proxies reconnect and take new changes.

import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient } from '../src/cli/api-client.ts';
import { type RunningController, startController } from '../src/controller.ts';
import { readEnv } from '../src/env.ts';
import {
  freePort,
  MESH,
  startNamedService,
  startProxyProcess,
  stopEverything,
  waitFor,
} from './mesh-helpers.ts';

const PASSWORD = 'correct horse battery staple';

describe('controller restart', () => {
  const services: Server[] = [];
  const proxies: ChildProcess[] = [];
  let controller: RunningController | undefined;

  afterAll(async () => {
    await stopEverything(proxies, services, controller);
  });

  it('keeps traffic flowing while the controller is down, and resyncs when it returns', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-restart-'));
    const [apiPort, proxyApiPort, localPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const env = readEnv({
      WEFT_DB: join(dir, 'weft.db'),
      WEFT_API_PORT: String(apiPort),
      WEFT_PROXY_API_PORT: String(proxyApiPort),
      WEFT_ADMIN_USERNAME: 'root',
      WEFT_ADMIN_PASSWORD: PASSWORD,
    });
    const signIn = async () => {
      const { token } = await apiClient({ server: controller?.apiUrl ?? '' }).auth.login.mutate({
        username: 'root',
        password: PASSWORD,
        mode: 'token',
      });
      return apiClient({ server: controller?.apiUrl ?? '', token: token ?? '' });
    };
    controller = await startController(env, pino({ level: 'silent' }));
    let admin = await signIn();
    await admin.config.applyYaml.mutate({ yaml: MESH(localPort, 100, 0) });
    const client = await admin.tokens.create.mutate({ service: 'client', namespace: 'shop' });
    const server = await admin.tokens.create.mutate({ service: 'server', namespace: 'shop' });
    const v1 = await startNamedService('server-v1');
    const v2 = await startNamedService('server-v2');
    services.push(v1, v2);
    const common = {
      dir,
      proxyApiUrl: controller.proxyApiUrl,
      trustBundleFile: controller.trustBundleFile,
    };
    const started = [
      await startProxyProcess({
        ...common,
        id: 'client-1',
        service: 'client',
        appPort: 1,
        token: client.token,
      }),
      await startProxyProcess({
        ...common,
        id: 'server-v1',
        service: 'server',
        version: 'v1',
        appPort: (v1.address() as AddressInfo).port,
        token: server.token,
      }),
      await startProxyProcess({
        ...common,
        id: 'server-v2',
        service: 'server',
        version: 'v2',
        appPort: (v2.address() as AddressInfo).port,
        token: server.token,
      }),
    ];
    proxies.push(...started.map((p) => p.child));
    const call = async () => {
      const response = await fetch(`http://127.0.0.1:${localPort}/`);
      return response.status === 200 ? response.text() : undefined;
    };
    await waitFor('traffic to v1', async () => ((await call()) === 'server-v1' ? true : undefined));

    await controller.close();
    controller = undefined;
    for (let i = 0; i < 20; i++) expect(await call()).toBe('server-v1');

    controller = await startController(env, pino({ level: 'silent' }));
    admin = await signIn();
    await waitFor('every proxy back and in sync', async () => {
      const fleet = await admin.proxies.list.query();
      return fleet.length === 3 && fleet.every((p) => p.syncState === 'SYNCED') ? true : undefined;
    });
    await admin.routes.setCanaryWeights.mutate({
      namespace: 'shop',
      route: 'server',
      weights: { v1: 0, v2: 100 },
    });
    await waitFor('the change made after the restart', async () =>
      (await call()) === 'server-v2' ? true : undefined,
    );
  }, 120_000);
});
