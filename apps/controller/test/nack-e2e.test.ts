// A snapshot a proxy cannot apply, end to end: the configuration is valid, but the client's new
// local upstream port is already taken on its machine (this test holds it), which only the proxy
// can find out. The proxy refuses the whole snapshot (NACK) with the bind error and keeps serving
// on the configuration it had; the controller, the API and the CLI show the refusal; once the
// port is free the controller's re-offer of the same snapshot is applied, and a fixed
// configuration is applied (ACK) and the fleet is SYNCED again.

import { type ChildProcess, execFile } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from '../src/controller.ts';
import { type AdminController, startAdminController } from './admin-controller.ts';
import {
  freePort,
  MESH,
  ROOT,
  startNamedService,
  startProxyProcess,
  stopEverything,
  waitFor,
} from './mesh-helpers.ts';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('a snapshot a proxy cannot apply', () => {
  let controller: RunningController;
  let admin: AdminController['admin'];
  let dir: string;
  let weft: (...args: string[]) => Promise<CliResult>;
  const services: Server[] = [];
  const proxies: ChildProcess[] = [];
  /** Holds the port the bad configuration asks for, as another program on the host would. */
  const squatter = createServer((_req, res) => res.end('squatter'));

  beforeAll(async () => {
    const started = await startAdminController('nack');
    ({ controller, admin, dir } = started);
    const env = { ...process.env, WEFT_SERVER: controller.apiUrl, WEFT_TOKEN: started.token };
    weft = (...args) =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [join(ROOT, 'bin/weft.js'), ...args],
          { cwd: ROOT, env },
          (error, stdout, stderr) =>
            resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
        );
      });
  }, 60_000);

  afterAll(async () => {
    await stopEverything(proxies, services, controller);
    squatter.closeAllConnections();
    if (squatter.listening) squatter.close();
  });

  it('is refused whole (NACK) with the bind error, traffic keeps flowing on the old configuration, the refused one is applied once its port is free, and a fixed one is applied', async () => {
    const goodPort = await freePort();
    const applyFile = async (localPort: number) => {
      const file = join(dir, `mesh-${localPort}.yaml`);
      await writeFile(file, MESH(localPort, 100, 0));
      return file;
    };
    const first = await weft(
      'apply',
      '-f',
      await applyFile(goodPort),
      '-m',
      'client on a free port',
    );
    expect(first.code, first.stderr).toBe(0);

    const start = async (id: string, service: string, version: string | undefined) => {
      const app = await startNamedService(id);
      services.push(app);
      const { token } = await admin.tokens.create.mutate({
        service,
        namespace: 'shop',
        maxUses: 1,
      });
      const started = await startProxyProcess({
        dir,
        proxyApiUrl: controller.proxyApiUrl,
        trustBundleFile: controller.trustBundleFile,
        id,
        service,
        ...(version === undefined ? {} : { version }),
        appPort: (app.address() as AddressInfo).port,
        token,
      });
      proxies.push(started.child);
      await waitFor(`${id} ready`, async () =>
        (await fetch(`http://127.0.0.1:${started.admin}/ready`)).status === 200 ? true : undefined,
      );
    };
    await start('client-1', 'client', undefined);
    await start('server-v1', 'server', 'v1');
    const call = async (port: number) => {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      return response.status === 200 ? response.text() : `HTTP ${response.status}`;
    };
    await waitFor('traffic through the client proxy', async () =>
      (await call(goodPort).catch(() => undefined)) === 'server-v1' ? true : undefined,
    );

    // Requests all through the refusal: none may fail.
    let loading = true;
    const outcomes: string[] = [];
    const load = (async () => {
      while (loading) outcomes.push(await call(goodPort).catch((e: unknown) => String(e)));
    })();

    const takenPort = await freePort();
    squatter.listen(takenPort, '127.0.0.1');
    await once(squatter, 'listening');
    const refused = await weft('apply', '-f', await applyFile(takenPort), '--wait');
    const badRevision = Number(/^revision (\d+)$/m.exec(refused.stdout)?.[1]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/client-1 refused it: .*EADDRINUSE/);
    expect(refused.stderr).toContain(`revision ${badRevision} was refused by 1 proxy(ies)`);

    const fleet = await admin.proxies.list.query();
    const client = fleet.find((p) => p.id === 'client-1');
    expect(client?.syncState).toBe('NACKED');
    expect(client?.sentVersion).toMatch(new RegExp(`^r${badRevision}\\.`));
    expect(client?.ackedVersion).not.toMatch(new RegExp(`^r${badRevision}\\.`));
    expect(client?.nackError).toContain(`127.0.0.1:${takenPort}`);
    expect(client?.nackError).toContain('EADDRINUSE');
    // The server's snapshot does not depend on the client's ports: it was not even sent.
    expect(fleet.find((p) => p.id === 'server-v1')?.syncState).toBe('SYNCED');

    const propagation = await admin.revisions.propagation.query({ id: badRevision });
    expect(propagation).toMatchObject({
      revision: badRevision,
      affected: 1,
      applied: 0,
      pending: ['client-1'],
      completedInMs: null,
    });
    expect(propagation.nacked).toEqual([{ proxy: 'client-1', error: client?.nackError }]);

    const status = await weft('proxy-status');
    expect(status.code, status.stderr).toBe(0);
    const line = status.stdout.split('\n').find((l) => l.startsWith('client-1\t'));
    expect(line).toContain('NACKED (');
    expect(line).toContain('EADDRINUSE');

    // A while on the refused revision: the old configuration is still the one serving.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    loading = false;
    await load;
    expect(outcomes.length).toBeGreaterThan(10);
    expect(outcomes.filter((o) => o !== 'server-v1')).toEqual([]);
    expect(await call(takenPort)).toBe('squatter');

    // The other program lets the port go: the controller offers the refused snapshot again (no
    // new revision), the proxy applies it and serves there.
    squatter.closeAllConnections();
    squatter.close();
    await once(squatter, 'close');
    await waitFor(
      'the refused revision to be offered again and applied',
      async () => {
        const proxy = (await admin.proxies.list.query()).find((p) => p.id === 'client-1');
        return proxy?.syncState === 'SYNCED' &&
          proxy.ackedVersion?.startsWith(`r${badRevision}.`) === true
          ? true
          : undefined;
      },
      async () => (await admin.proxies.list.query()).find((p) => p.id === 'client-1'),
    );
    expect(await call(takenPort)).toBe('server-v1');

    // The operator moves the client to another port: applied, SYNCED, served there.
    const fixedPort = await freePort();
    const fixed = await weft('apply', '-f', await applyFile(fixedPort), '--wait');
    expect(fixed.code, fixed.stderr + fixed.stdout).toBe(0);
    expect(fixed.stdout).toMatch(/applied by 1\/1 proxies\nrevision \d+ in force everywhere/);
    const after = await admin.proxies.list.query();
    expect(after.map((p) => [p.id, p.syncState, p.nackError])).toEqual([
      ['client-1', 'SYNCED', null],
      ['server-v1', 'SYNCED', null],
    ]);
    expect(await call(fixedPort)).toBe('server-v1');
    // The port of the configuration it replaced is closed.
    await waitFor('the old local port to close', async () =>
      (await call(goodPort).catch(() => 'closed')) === 'closed' ? true : undefined,
    );
    const healed = await weft('proxy-status');
    expect(healed.stdout.split('\n').filter((l) => l.includes('\tSYNCED\t'))).toHaveLength(2);
  }, 120_000);
});
