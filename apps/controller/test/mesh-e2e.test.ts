// The control plane end to end: a controller, proxies bootstrapped by join token (each its own
// process), traffic over mTLS, and a canary change pushed to every proxy and acknowledged.

import { type ChildProcess, execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
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

describe('controller + proxies', () => {
  let controller: RunningController;
  let admin: AdminController['admin'];
  let adminToken: string;
  let dir: string;
  let localPort: number;
  const services: Server[] = [];
  const proxies: ChildProcess[] = [];

  async function startService(name: string): Promise<number> {
    const server = await startNamedService(name);
    services.push(server);
    return (server.address() as AddressInfo).port;
  }

  async function startProxy(
    id: string,
    service: string,
    version: string | undefined,
    appPort: number,
    token: string,
  ) {
    const started = await startProxyProcess({
      dir,
      proxyApiUrl: controller.proxyApiUrl,
      trustBundleFile: controller.trustBundleFile,
      id,
      service,
      ...(version === undefined ? {} : { version }),
      appPort,
      token,
    });
    proxies.push(started.child);
    return started;
  }

  beforeAll(async () => {
    ({ controller, admin, dir, token: adminToken } = await startAdminController('e2e'));
    localPort = await freePort();
    await admin.config.applyYaml.mutate({ yaml: MESH(localPort, 100, 0), message: 'all on v1' });
  }, 60_000);

  afterAll(async () => {
    await stopEverything(proxies, services, controller);
  });

  it('bootstraps proxies by token, carries traffic, and pushes a canary change only to the proxies it affects, which acknowledge it', async () => {
    const clientToken = await admin.tokens.create.mutate({
      service: 'client',
      namespace: 'shop',
      maxUses: 1,
    });
    const serverToken = await admin.tokens.create.mutate({
      service: 'server',
      namespace: 'shop',
      maxUses: 2,
    });
    const client = await startProxy(
      'client-1',
      'client',
      undefined,
      await startService('client-app'),
      clientToken.token,
    );
    const v1 = await startProxy(
      'server-v1',
      'server',
      'v1',
      await startService('server-v1'),
      serverToken.token,
    );
    const v2 = await startProxy(
      'server-v2',
      'server',
      'v2',
      await startService('server-v2'),
      serverToken.token,
    );
    for (const proxy of [client, v1, v2]) {
      await waitFor('proxy ready', async () =>
        (await fetch(`http://127.0.0.1:${proxy.admin}/ready`)).status === 200 ? true : undefined,
      );
    }
    const call = async () => {
      const response = await fetch(`http://127.0.0.1:${localPort}/`);
      return response.status === 200 ? response.text() : undefined;
    };
    expect(
      await waitFor('traffic to v1', async () =>
        (await call()) === 'server-v1' ? true : undefined,
      ),
    ).toBe(true);

    const fleet = await admin.proxies.list.query();
    expect(fleet.map((p) => [p.id, p.service, p.version ?? null])).toEqual([
      ['client-1', 'client', null],
      ['server-v1', 'server', 'v1'],
      ['server-v2', 'server', 'v2'],
    ]);
    expect(fleet.every((p) => p.certificateSerial !== null)).toBe(true);

    const applied = await admin.config.applyYaml.mutate({
      yaml: MESH(localPort, 0, 100),
      message: 'all on v2',
    });
    expect(applied.changed).toBe(true);
    const synced = await waitFor(
      'every proxy to acknowledge the change',
      async () => {
        const all = await admin.proxies.list.query();
        // Only the client routes to server: the servers' snapshots did not change and are not re-sent.
        const client = all.find((p) => p.id === 'client-1');
        return all.every((p) => p.syncState === 'SYNCED') &&
          client?.ackedVersion?.startsWith(`r${applied.revision}.`)
          ? all
          : undefined;
      },
      () => admin.proxies.list.query(),
    );
    expect(
      synced.filter((p) => p.ackedVersion?.startsWith(`r${applied.revision}.`)).map((p) => p.id),
    ).toEqual(['client-1']);
    expect(
      await waitFor('traffic to v2', async () =>
        (await call()) === 'server-v2' ? true : undefined,
      ),
    ).toBe(true);

    const certificates = await admin.certificates.list.query({ kind: 'LEAF' });
    expect(certificates.map((c) => c.identity).sort()).toEqual(
      expect.arrayContaining([
        'spiffe://weft.local/ns/shop/sa/client',
        'spiffe://weft.local/ns/shop/sa/server',
      ]),
    );
  }, 90_000);

  it('moves the split with `weft canary set --wait` and shows the fleet with `weft proxy-status`', async () => {
    const env = { ...process.env, WEFT_SERVER: controller.apiUrl, WEFT_TOKEN: adminToken };
    const weft = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(ROOT, 'bin/weft.js'), ...args], {
        cwd: ROOT,
        env,
      });
    const moved = await weft('canary', 'set', 'server', 'v1=50', 'v2=50', '-n', 'shop', '--wait');
    expect(moved.stdout).toMatch(/^revision \d+: v1=50 v2=50\n/);
    expect(moved.stdout).toMatch(
      /applied by 1\/1 proxies\nrevision \d+ in force everywhere after \d+ ms\n$/,
    );
    const seen = { 'server-v1': 0, 'server-v2': 0 };
    for (let i = 0; i < 20; i++) {
      const text = await (await fetch(`http://127.0.0.1:${localPort}/`)).text();
      seen[text as keyof typeof seen] += 1;
    }
    expect(seen).toEqual({ 'server-v1': 10, 'server-v2': 10 });
    const status = await weft('proxy-status');
    expect(status.stdout.split('\n').filter((line) => line.includes('SYNCED'))).toHaveLength(3);
  }, 60_000);

  it("counts every call exactly in the controller's telemetry, per version, with percentiles from the proxies' sketches", async () => {
    const totals = async () =>
      (
        await admin.telemetry.byVersion.query({ service: 'shop/server', windowSeconds: 3_600 })
      ).reduce((sum, v) => sum + v.requests, 0);
    // Whatever earlier tests sent must have landed before counting starts.
    let before = await totals();
    for (let stable = 0; stable < 3; ) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      const now = await totals();
      stable = now === before ? stable + 1 : 0;
      before = now;
    }
    for (let i = 0; i < 40; i++)
      expect((await fetch(`http://127.0.0.1:${localPort}/`)).status).toBe(200);
    await waitFor(
      '40 more calls counted',
      async () => ((await totals()) === before + 40 ? true : undefined),
      totals,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await totals()).toBe(before + 40);
    const graph = await admin.telemetry.graph.query({ windowSeconds: 3_600 });
    expect(graph.nodes.map((n) => n.id)).toEqual(['shop/client', 'shop/server']);
    expect(graph.edges).toEqual([
      expect.objectContaining({
        source: 'shop/client',
        destination: 'shop/server',
        requests: before + 40,
        successRate: 1,
        mtlsShare: 1,
      }),
    ]);
    const versions = await admin.telemetry.byVersion.query({
      service: 'shop/server',
      windowSeconds: 3_600,
    });
    for (const v of versions) {
      expect(v.successRate).toBe(1);
      expect(v.p99).toBeGreaterThanOrEqual(v.p50);
      expect(v.p50).toBeGreaterThan(0);
    }
  }, 60_000);

  it('rotates the intermediate: new proxies get the new chain, and old and new chains interoperate', async () => {
    const rotated = await admin.certificates.rotateIntermediate.mutate();
    const intermediates = await admin.certificates.list.query({ kind: 'INTERMEDIATE' });
    expect(intermediates.map((c) => [c.serial, c.status]).sort()).toEqual(
      [
        [rotated.previous, 'SUPERSEDED'],
        [rotated.current, 'ACTIVE'],
      ].sort(),
    );
    const token = await admin.tokens.create.mutate({
      service: 'server',
      namespace: 'shop',
      maxUses: 1,
    });
    const fresh = await startProxy(
      'server-v1-new',
      'server',
      'v1',
      await startService('server-v1-new'),
      token.token,
    );
    await waitFor('the new proxy ready', async () =>
      (await fetch(`http://127.0.0.1:${fresh.admin}/ready`)).status === 200 ? true : undefined,
    );
    const chain = (await readFile(join(dir, 'server-v1-new.pem'), 'utf8')).split(
      /(?<=-----END CERTIFICATE-----\n)/,
    );
    expect(new X509Certificate(chain[1] ?? '').serialNumber).toBe(rotated.current);
    const answers = new Set<string>();
    await waitFor('traffic from an old-chain proxy to a new-chain one', async () => {
      answers.add(await (await fetch(`http://127.0.0.1:${localPort}/`)).text());
      return answers.has('server-v1-new') ? true : undefined;
    });
  }, 60_000);

  it('rotates the root under load: every proxy trusts the new root before it signs, and no request fails', async () => {
    let loading = true;
    const failures: string[] = [];
    let sent = 0;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (loading) {
          sent += 1;
          const response = await fetch(`http://127.0.0.1:${localPort}/`).catch((e: unknown) => e);
          if (!(response instanceof Response) || response.status !== 200)
            failures.push(String(response instanceof Response ? response.status : response));
        }
      }),
    );
    const prepared = await admin.certificates.prepareRootRotation.mutate();
    const countCerts = (pem: string) => pem.split('-----BEGIN CERTIFICATE-----').length - 1;
    await waitFor('every proxy to hold both roots', async () => {
      const fleet = await admin.proxies.list.query();
      const bundles = await Promise.all(
        fleet.map((p) => readFile(join(dir, `${p.id}-ca.pem`), 'utf8').catch(() => '')),
      );
      return fleet.every((p) => p.syncState === 'SYNCED') &&
        bundles.every((b) => countCerts(b) === 2)
        ? true
        : undefined;
    });
    const activated = await admin.certificates.activateRootRotation.mutate();
    expect(activated).toEqual(prepared);
    const token = await admin.tokens.create.mutate({
      service: 'server',
      namespace: 'shop',
      maxUses: 1,
    });
    const fresh = await startProxy(
      'server-v1-newroot',
      'server',
      'v1',
      await startService('server-v1-newroot'),
      token.token,
    );
    await waitFor('the new-root proxy ready', async () =>
      (await fetch(`http://127.0.0.1:${fresh.admin}/ready`)).status === 200 ? true : undefined,
    );
    const chain = (await readFile(join(dir, 'server-v1-newroot.pem'), 'utf8')).split(
      /(?<=-----END CERTIFICATE-----\n)/,
    );
    expect(new X509Certificate(chain[1] ?? '').serialNumber).toBe(activated.intermediate);
    const answers = new Set<string>();
    await waitFor('traffic from an old-root proxy to a new-root one', async () => {
      answers.add(await (await fetch(`http://127.0.0.1:${localPort}/`)).text());
      return answers.has('server-v1-newroot') ? true : undefined;
    });
    loading = false;
    await load;
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(20);
  }, 60_000);

  it('sends a revocation to every proxy, and peers refuse the revoked certificate', async () => {
    const fleet = await admin.proxies.list.query();
    const client = fleet.find((p) => p.id === 'client-1');
    const server = fleet.find((p) => p.id === 'server-v2');
    if (client?.certificateSerial == null || server === undefined)
      throw new Error('fleet incomplete');
    await admin.certificates.revoke.mutate({
      serial: client.certificateSerial,
      reason: 'key compromise drill',
    });
    await waitFor('server-v2 to acknowledge the revocation', async () => {
      const now = (await admin.proxies.list.query()).find((p) => p.id === 'server-v2');
      return now?.syncState === 'SYNCED' && now.ackedVersion !== server.ackedVersion
        ? true
        : undefined;
    });
    const [cert, key, ca] = await Promise.all(
      ['client-1.pem', 'client-1-key.pem', 'client-1-ca.pem'].map((f) => readFile(join(dir, f))),
    );
    const socket = connect({
      host: '127.0.0.1',
      port: server.port,
      cert,
      key,
      ca,
      checkServerIdentity: () => undefined,
    });
    await once(socket, 'secureConnect');
    socket.write('GET / HTTP/1.1\r\nhost: server\r\n\r\n');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += String(chunk);
    });
    // The proxy may reset rather than close (the request it never read): both end the connection.
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('close', resolve));
    expect(answer).toBe('');
    const audit = await admin.audit.list.query({ limit: 10 });
    expect(
      audit.some(
        (e) =>
          e.action === 'certificates.revoke' &&
          e.target === `certificate/${client.certificateSerial}`,
      ),
    ).toBe(true);
  }, 60_000);

  it('refuses a used-up join token, audited, and the proxy says why', async () => {
    const used = await admin.tokens.create.mutate({
      service: 'server',
      namespace: 'shop',
      maxUses: 1,
    });
    const first = await startProxy(
      'server-v1-b',
      'server',
      'v1',
      await startService('b'),
      used.token,
    );
    await waitFor('first proxy ready', async () =>
      (await fetch(`http://127.0.0.1:${first.admin}/ready`)).status === 200 ? true : undefined,
    );
    const second = await startProxy(
      'server-v1-c',
      'server',
      'v1',
      await startService('c'),
      used.token,
    );
    let stderr = '';
    second.child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('the join token is used-up');
    const audit = await admin.audit.list.query({ limit: 50 });
    expect(
      audit.some(
        (e) =>
          e.action === 'proxy.bootstrap' &&
          e.outcome === 'DENIED' &&
          e.target === 'proxy/server-v1-c',
      ),
    ).toBe(true);
  }, 60_000);
});
