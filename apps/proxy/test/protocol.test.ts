// HTTP as services really use it through the mesh: 100 MB bodies both ways in flat memory,
// WebSocket-style upgrades, plaintext callers in PERMISSIVE mode, a port per upstream, and a
// start from the last applied snapshot.

import { once } from 'node:events';
import { type AddressInfo, createConnection, createServer } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy } from '../src/proxy.ts';
import { call, client, launch, proxyConfig, silent, startService, tempDir } from './harness.ts';
import { startTestMesh, TEST_MESH, type TestMesh } from './mesh-fixture.ts';

const ONLY_V1 = `
    - backendRefs: [{ name: server, version: v1 }]`;
const BODY_BYTES = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 7);
/** While the receiver waits, what the sender got out: kernel socket and stream buffers over three
 * hops (loopback autotunes them to several MB each), never the whole body. */
const MAX_IN_FLIGHT_BYTES = 48 * 1024 * 1024;
const PAUSE_AFTER_BYTES = 1024 * 1024;
const PAUSE_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A body made on demand, reporting how much of it has been produced so far. */
function chunks(total: number, onProduced: (bytes: number) => void = () => {}): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      sent += CHUNK.length;
      onProduced(sent);
      this.push(CHUNK);
    },
  });
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

describe('protocol pass-through', () => {
  let mesh: TestMesh | undefined;
  afterEach(async () => {
    await mesh?.close();
    mesh = undefined;
  });

  it('streams 100 MB each way through two proxies, holding back the sender while the receiver waits', async () => {
    let served = 0;
    let uploadSeenWhilePaused = 0;
    mesh = await startTestMesh(TEST_MESH(ONLY_V1), {
      handlers: {
        v1: async (req, res) => {
          if (req.method === 'POST') {
            let received = 0;
            for await (const chunk of req) {
              received += (chunk as Buffer).length;
              if (received >= PAUSE_AFTER_BYTES && uploadSeenWhilePaused === 0) {
                await sleep(PAUSE_MS);
                uploadSeenWhilePaused = generated;
              }
            }
            res.writeHead(200).end(String(received));
          } else {
            res.writeHead(200, { 'content-length': String(BODY_BYTES) });
            chunks(BODY_BYTES, (bytes) => {
              served = bytes;
            }).pipe(res);
          }
        },
      },
    });
    const proxy = mesh.proxies.client;
    let generated = 0;
    const upload = chunks(BODY_BYTES, (bytes) => {
      generated = bytes;
    });
    const uploaded = await request(`http://127.0.0.1:${proxy.ports.httpProxy}/upload`, {
      dispatcher: client,
      method: 'POST',
      headers: { host: 'server', 'content-length': String(BODY_BYTES) },
      body: upload,
    });
    expect(await uploaded.body.text()).toBe(String(BODY_BYTES));
    expect(uploadSeenWhilePaused).toBeLessThan(MAX_IN_FLIGHT_BYTES);

    const download = await request(`http://127.0.0.1:${proxy.ports.httpProxy}/download`, {
      dispatcher: client,
      headers: { host: 'server' },
    });
    let received = 0;
    let servedWhilePaused = 0;
    for await (const chunk of download.body) {
      received += (chunk as Buffer).length;
      if (received >= PAUSE_AFTER_BYTES && servedWhilePaused === 0) {
        await sleep(PAUSE_MS);
        servedWhilePaused = served;
      }
    }
    expect(received).toBe(BODY_BYTES);
    expect(servedWhilePaused).toBeLessThan(MAX_IN_FLIGHT_BYTES);
  }, 60_000);

  it('answers Expect: 100-continue and relays the body that follows', async () => {
    mesh = await startTestMesh(TEST_MESH(ONLY_V1));
    const socket = createConnection({
      host: '127.0.0.1',
      port: mesh.proxies.client.ports.httpProxy ?? 0,
    });
    socket.write(
      'POST /upload HTTP/1.1\r\nhost: server\r\ncontent-length: 5\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n',
    );
    let text = '';
    socket.on('data', (chunk) => {
      text += String(chunk);
    });
    while (!text.includes('100 Continue')) await once(socket, 'data');
    socket.write('hello');
    await once(socket, 'close');
    expect(text).toContain('HTTP/1.1 200 OK');
    expect(text).toContain('"bytes":5');
  });

  it('passes an Upgrade through both proxies and joins the sockets', async () => {
    mesh = await startTestMesh(TEST_MESH(ONLY_V1));
    mesh.services.v1.server.on('upgrade', (req, socket) => {
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: Upgrade\r\nx-peer: ${req.headers['x-weft-peer-identity']}\r\n\r\n`,
      );
      socket.pipe(socket);
    });
    const socket = createConnection({
      host: '127.0.0.1',
      port: mesh.proxies.client.ports.httpProxy ?? 0,
    });
    socket.write(
      'GET /ws HTTP/1.1\r\nhost: server\r\nconnection: Upgrade\r\nupgrade: echo\r\n\r\n',
    );
    let text = '';
    socket.on('data', (chunk) => {
      text += String(chunk);
    });
    while (!text.includes('\r\n\r\n')) await once(socket, 'data');
    expect(text).toMatch(/^HTTP\/1\.1 101 /);
    expect(text).toContain('x-peer: spiffe://weft.local/ns/shop/sa/client');
    text = '';
    socket.write('ping through the mesh');
    while (!text.includes('ping through the mesh')) await once(socket, 'data');
    socket.destroy();
  });

  it('accepts plaintext in PERMISSIVE mode as an unauthenticated caller', async () => {
    const permissive = TEST_MESH(ONLY_V1).replace(
      '  access: { defaultAction: allow }',
      '  access: { defaultAction: allow }\n  mtls: { mode: PERMISSIVE }',
    );
    mesh = await startTestMesh(permissive);
    const plain = await request(`http://127.0.0.1:${mesh.proxies.v1.ports.inbound}/plain`, {
      headers: { 'x-weft-peer-identity': 'spiffe://weft.local/ns/shop/sa/admin' },
    });
    expect(plain.statusCode).toBe(200);
    const seen = (await plain.body.json()) as { headers: Record<string, string> };
    expect(seen.headers['x-weft-peer-identity']).toBeUndefined();
    expect((await call(mesh.proxies.client, 'server', '/')).status).toBe(200);
  });

  it('opens a localhost port per upstream from the snapshot, and closes it when the upstream goes', async () => {
    mesh = await startTestMesh(TEST_MESH(ONLY_V1));
    const free = await freePort();
    const withPort = TEST_MESH(ONLY_V1).replace(
      'upstreams: [{ service: { name: server } }]',
      `upstreams: [{ service: { name: server }, localPort: ${free} }]`,
    );
    await mesh.apply(withPort, 'v2');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const response = await request(`http://127.0.0.1:${free}/by-port`, { dispatcher: client });
    expect(((await response.body.json()) as { service: string }).service).toBe('server-v1');
    await mesh.apply(TEST_MESH(ONLY_V1), 'v3');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(
      request(`http://127.0.0.1:${free}/gone`, { dispatcher: client, reset: true }),
    ).rejects.toThrow();
  });

  it('starts from the last applied snapshot when no other is available', async () => {
    mesh = await startTestMesh(TEST_MESH(ONLY_V1));
    const stateDir = await tempDir();
    const app = await startService('lonely');
    const config = proxyConfig(
      { id: 'client-1', service: 'client', namespace: 'shop' },
      app.port,
      mesh.files.client,
      { stateDir },
    );
    const snapshot = mesh.proxies.client.store.current()?.snapshot;
    const first = await launch(config, snapshot);
    await first.close();
    const second = await startProxy(config, silent);
    expect(second.store.current()?.snapshot.hash).toBe(snapshot?.hash);
    expect((await call(second, 'server', '/')).status).toBe(200);
    await second.close();
    await app.close();
  });
});
