// A snapshot applies entirely or not at all: one whose outbound port is taken on the host is
// refused (SnapshotRejectedError, the NACK), the configuration in force keeps serving, and no
// port the refused snapshot bound is left open.

import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotRejectedError } from '../src/runtime/snapshot-store.ts';
import { startTestMesh, TEST_MESH, type TestMesh } from './mesh-fixture.ts';

const SPLIT = `
    - backendRefs: [{ name: server, version: v1 }]`;
const AUDIT = `---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: audit, namespace: shop }
spec:
  ports: [{ port: 8080 }]`;

/** The test mesh with the client calling server (and audit, if given a port) on local ports. */
function meshWithPorts(serverPort: number, auditPort?: number): string {
  const upstreams = [
    `{ service: { name: server }, localPort: ${serverPort} }`,
    ...(auditPort === undefined ? [] : [`{ service: { name: audit }, localPort: ${auditPort} }`]),
  ];
  const yaml = TEST_MESH(SPLIT, AUDIT).replace(
    'upstreams: [{ service: { name: server } }]',
    `upstreams: [${upstreams.join(', ')}]`,
  );
  if (yaml === TEST_MESH(SPLIT, AUDIT)) throw new Error('the test mesh changed shape');
  return yaml;
}

async function listenOn(port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function freePort(): Promise<number> {
  const server = await listenOn(0);
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The status and, from the test services, which one answered. */
async function get(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  const text = await response.text();
  const service = response.status === 200 ? (JSON.parse(text) as { service: string }).service : '';
  return `${response.status} ${service}`.trim();
}

describe('atomic snapshot apply', () => {
  let mesh: TestMesh;
  let oldPort: number;
  beforeAll(async () => {
    oldPort = await freePort();
    mesh = await startTestMesh(meshWithPorts(oldPort));
  });
  afterAll(async () => {
    await mesh?.close();
  });

  it('refuses a snapshot whose local port is taken, keeps the old one serving, and releases what it bound', async () => {
    expect(await get(oldPort)).toBe('200 server-v1');
    const client = mesh.proxies.client;
    const [newPort, takenPort] = [await freePort(), await freePort()];
    const squatter = await listenOn(takenPort);
    try {
      // Upstreams bind in the snapshot's order (by service): audit's free port first, then server's.
      const refused = mesh.snapshots(meshWithPorts(takenPort, newPort), 'v2').get('client-1');
      const error = await client.store.apply(refused).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnapshotRejectedError);
      expect((error as Error).message).toMatch(
        new RegExp(`127\\.0\\.0\\.1:${takenPort} for upstream shop/server: .*EADDRINUSE`),
      );
      expect(client.store.current()?.snapshot.version).toBe('v1');
      expect(await get(oldPort)).toBe('200 server-v1');
      // The port the refused snapshot could bind was given back: another program can take it.
      (await listenOn(newPort)).close();
    } finally {
      squatter.close();
    }

    const fixedPort = await freePort();
    await client.store.apply(
      mesh.snapshots(meshWithPorts(fixedPort, newPort), 'v3').get('client-1'),
    );
    expect(client.store.current()?.snapshot.version).toBe('v3');
    expect(await get(fixedPort)).toBe('200 server-v1');
    // audit has no instance: its port is open, and says so.
    expect(await get(newPort)).toMatch(/^503/);
    await expect(get(oldPort)).rejects.toThrow();
  });
});
