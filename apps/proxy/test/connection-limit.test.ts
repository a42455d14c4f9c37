// limits.maxConnections on both doors: a connection over the cap is closed as it arrives,
// before a byte is read or a handshake begun, and counted; the connections already open keep
// being served, and a place freed is taken by the next caller.

import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMesh, TEST_MESH, type TestMesh } from './mesh-fixture.ts';
import { collect, counter, exchange, plainOpener, sleep } from './raw-http.ts';

const ROUTE = `
    - backendRefs: [{ name: server, version: v1 }]`;
const MAX_CONNECTIONS = 2;
/** Long enough for a dropped connection to show as closed; an open one stays open far longer. */
const CLOSE_DEADLINE_MS = 1_000;
/** Node forgets a closed connection on its next turn; this covers it on a loaded machine. */
const FORGET_MS = 200;

describe('connections over limits.maxConnections', () => {
  let mesh: TestMesh;
  const held: Socket[] = [];
  const dropped = (direction: 'inbound' | 'outbound') =>
    counter(
      direction === 'inbound' ? mesh.proxies.v1 : mesh.proxies.client,
      'weft_connections_dropped_total',
      { direction },
    );

  beforeAll(async () => {
    const limits = { limits: { maxConnections: MAX_CONNECTIONS } };
    mesh = await startTestMesh(TEST_MESH(ROUTE), { sections: { client: limits, v1: limits } });
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await mesh?.close();
  });

  it('closes the inbound connection over the cap on arrival and counts it', async () => {
    // Nothing has called the server yet, so these two are all the inbound listener holds.
    const open = plainOpener(mesh.proxies.v1.ports.inbound);
    const first = await open();
    const second = await open();
    held.push(first, second);
    const over = await collect(await open(), CLOSE_DEADLINE_MS);
    expect(over).toMatchObject({ closed: true, text: '' });
    expect(await dropped('inbound')).toBe(1);
    // The two held are still open: closing them frees the listener for the mesh's own traffic.
    expect(first.destroyed || second.destroyed).toBe(false);
    first.destroy();
    second.destroy();
    await sleep(FORGET_MS);
  });

  it('closes the outbound connection over the cap, serves the open ones, and admits the next once one closes', async () => {
    const open = plainOpener(mesh.proxies.client.ports.httpProxy ?? 0);
    const first = await open();
    const second = await open();
    held.push(first, second);
    const before = await dropped('outbound');
    const over = await collect(await open(), CLOSE_DEADLINE_MS);
    expect(over).toMatchObject({ closed: true, text: '' });
    expect(await dropped('outbound')).toBe(before + 1);

    // An open one is still served, through the whole mesh.
    const served = collect(first, 5_000);
    first.write('GET /held HTTP/1.1\r\nhost: server\r\nconnection: close\r\n\r\n');
    expect((await served).status).toBe('HTTP/1.1 200 OK');

    // Its place (closed by the request above) goes to the next caller.
    await sleep(FORGET_MS);
    const next = await exchange(
      open,
      'GET /next HTTP/1.1\r\nhost: server\r\nconnection: close\r\n\r\n',
    );
    expect(next.status).toBe('HTTP/1.1 200 OK');
    expect(await dropped('outbound')).toBe(before + 1);
  });
});
