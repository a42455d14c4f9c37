// Config and certificate swaps while traffic flows: not one request may fail.

import { once } from 'node:events';
import { copyFile, readFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIdentity } from './harness.ts';
import { runLoad } from './load.ts';
import { startTestMesh, TEST_MESH, type TestMesh } from './mesh-fixture.ts';

const SPLIT = (v1: number, v2: number) => `
    - backendRefs:
        - { name: server, version: v1, weight: ${v1} }
        - { name: server, version: v2, weight: ${v2} }`;

const WORKERS = 8;
const SWAPS = 25;

describe('hitless changes under load', () => {
  let mesh: TestMesh;
  beforeAll(async () => {
    mesh = await startTestMesh(TEST_MESH(SPLIT(50, 50)));
  });
  afterAll(async () => {
    await mesh?.close();
  });

  it('applies 25 config pushes in a row with 0 failed requests', async () => {
    let release = () => {};
    const load = runLoad(
      mesh.proxies.client,
      'server',
      WORKERS,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    for (let i = 1; i <= SWAPS; i++) {
      await mesh.apply(TEST_MESH(i % 2 === 0 ? SPLIT(90, 10) : SPLIT(10, 90)), `v${i + 1}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    release();
    const { sent, failures } = await load;
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(SWAPS);
    expect(mesh.proxies.client.store.current()?.snapshot.version).toBe(`v${SWAPS + 1}`);
  });

  it('rotates every proxy certificate under load with 0 failed requests; new handshakes use the new one', async () => {
    const before = mesh.proxies.client.identity.current().serial;
    let release = () => {};
    const load = runLoad(
      mesh.proxies.client,
      'server',
      WORKERS,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    for (let round = 0; round < 3; round++) {
      for (const [name, service] of [
        ['client', 'client'],
        ['v1', 'server'],
        ['v2', 'server'],
      ] as const) {
        const fresh = await writeIdentity(mesh.pki, mesh.dir, 'shop', service);
        await copyFile(fresh.certFile, mesh.files[name].certFile);
        await copyFile(fresh.keyFile, mesh.files[name].keyFile);
        await mesh.proxies[name].reload();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    release();
    const { sent, failures } = await load;
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(WORKERS);
    expect(mesh.proxies.client.identity.current().serial).not.toBe(before);

    const [cert, key, ca] = await Promise.all(
      [
        mesh.files.client.certFile,
        mesh.files.client.keyFile,
        mesh.files.client.trustBundleFile,
      ].map((f) => readFile(f)),
    );
    const socket = connect({
      host: '127.0.0.1',
      port: mesh.proxies.v1.ports.inbound,
      cert,
      key,
      ca,
      checkServerIdentity: () => undefined,
    });
    await once(socket, 'secureConnect');
    expect(socket.getPeerX509Certificate()?.serialNumber).toBe(
      mesh.proxies.v1.identity.current().serial,
    );
    socket.destroy();
  });

  it('keeps the configuration in force when a pushed snapshot is broken (the NACK)', async () => {
    const good = mesh.proxies.client.store.current()?.snapshot;
    if (good === undefined) throw new Error('no snapshot');
    const broken = { ...good, version: 'broken', hash: 'a'.repeat(64), clusters: [] };
    await expect(mesh.proxies.client.store.apply(broken)).rejects.toThrowError(
      /sends to cluster "server.shop.v1", which the snapshot lacks/,
    );
    expect(mesh.proxies.client.store.current()?.snapshot.version).toBe(good.version);
  });
});
