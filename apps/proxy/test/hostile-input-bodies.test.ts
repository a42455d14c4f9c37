// Huge bodies must stream, never pile up in the proxy: 1 GB each way through a real weft-proxy
// process (its resident memory sampled from /proc while the bytes flow), and an answer to an
// Upgrade request that the caller does not read.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { type AddressInfo, createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createTestPki } from '@weft/pki';
import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import {
  call,
  compile,
  startService,
  type TestService,
  tempDir,
  writeIdentity,
} from './harness.ts';
import { startTestMesh, TEST_MESH, type TestMesh } from './mesh-fixture.ts';
import { sleep } from './raw-http.ts';

/** 1 GiB each way by default; WEFT_TEST_BODY_MB makes it smaller on a slow machine. */
const BODY_BYTES = Number(process.env.WEFT_TEST_BODY_MB ?? 1_024) * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 7);
/**
 * How far the proxy's resident memory may rise over its warmed-up level while a body flows:
 * socket and stream buffers on four connections and garbage not yet collected, not the body.
 */
const MAX_RSS_GROWTH_BYTES = 64 * 1024 * 1024;
const RSS_SAMPLE_MS = 100;
/** The route's timeout for the huge bodies: minutes, where a quiet machine needs seconds. */
const BODY_TIMEOUT = '10m';
const WARM_UP_BYTES = 64 * 1024 * 1024;
const PROXY_BIN = fileURLToPath(new URL('../bin/weft-proxy.js', import.meta.url));

function body(total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      sent += CHUNK.length;
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

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

/** Runs `work` while sampling the process's RSS; returns the highest sample. */
async function peakRss(pid: number, work: Promise<unknown>): Promise<number> {
  let peak = await rssBytes(pid);
  let done = false;
  const sampling = (async () => {
    while (!done) {
      peak = Math.max(peak, await rssBytes(pid));
      await sleep(RSS_SAMPLE_MS);
    }
  })();
  try {
    await work;
  } finally {
    done = true;
    await sampling;
  }
  return Math.max(peak, await rssBytes(pid));
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

describe('huge bodies through a weft-proxy process', () => {
  let child: ChildProcess | undefined;
  let app: TestService | undefined;
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await app?.close();
    await agent.close();
  });

  it(`streams ${mb(BODY_BYTES)} MB up and ${mb(BODY_BYTES)} MB down in flat memory`, async () => {
    app = await startService('sink', async (req, res) => {
      if (req.method === 'POST') {
        let received = 0;
        for await (const chunk of req) received += (chunk as Buffer).length;
        res.writeHead(200).end(String(received));
        return;
      }
      const bytes = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('bytes'));
      res.writeHead(200, { 'content-length': String(bytes) });
      body(bytes).pipe(res);
    });
    // One proxy that calls its own service through itself: the bytes cross its outbound
    // listener, its mTLS client, its mTLS listener and its pool to the service, in one process.
    const [inbound, admin, httpProxy] = [await freePort(), await freePort(), await freePort()];
    const dir = await tempDir();
    const files = await writeIdentity(await createTestPki(), dir, 'shop', 'loop');
    const snapshot = compile(
      `
apiVersion: weft.dev/v1alpha1
kind: Mesh
metadata: { name: default }
spec: { trustDomain: weft.local, access: { defaultAction: allow } }
---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: loop, namespace: shop }
spec:
  ports: [{ port: 8080 }]
  upstreams: [{ service: { name: loop } }]
---
# A gigabyte takes as long as the machine needs: the route's 15 s default cut it on a loaded one.
apiVersion: weft.dev/v1alpha1
kind: HTTPRoute
metadata: { name: loop, namespace: shop }
spec:
  parentRefs: [{ name: loop }]
  rules: [{ backendRefs: [{ name: loop }], timeouts: { request: ${BODY_TIMEOUT} } }]`,
      [{ id: 'loop-1', service: 'loop', namespace: 'shop', address: '127.0.0.1', port: inbound }],
    ).get('loop-1');
    const snapshotFile = join(dir, 'loop-1.snapshot.json');
    await writeFile(snapshotFile, JSON.stringify(snapshot));
    const configFile = join(dir, 'loop-1.yaml');
    await writeFile(
      configFile,
      JSON.stringify({
        apiVersion: 'weft.dev/v1alpha1',
        kind: 'ProxyConfig',
        workload: { id: 'loop-1', service: 'loop', namespace: 'shop' },
        inbound: { address: '127.0.0.1', port: inbound },
        application: { port: app.port },
        outbound: { httpProxyPort: httpProxy },
        admin: { port: admin },
        tls: files,
        snapshotFile,
      }),
    );
    child = spawn(process.execPath, [PROXY_BIN, '--config', configFile, '--log-level', 'warn'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const pid = child.pid ?? 0;
    for (let ready = false; !ready; await sleep(100)) {
      if (child.exitCode !== null) throw new Error(`weft-proxy exited with ${child.exitCode}`);
      ready = await fetch(`http://127.0.0.1:${admin}/ready`)
        .then((r) => r.ok)
        .catch(() => false);
    }

    const url = `http://127.0.0.1:${httpProxy}`;
    const upload = async (bytes: number) => {
      const response = await request(`${url}/upload`, {
        dispatcher: agent,
        method: 'POST',
        headers: { host: 'loop', 'content-length': String(bytes) },
        body: body(bytes),
      });
      return Number(await response.body.text());
    };
    const download = async (bytes: number) => {
      const response = await request(`${url}/download?bytes=${bytes}`, {
        dispatcher: agent,
        headers: { host: 'loop' },
      });
      let received = 0;
      for await (const chunk of response.body) received += (chunk as Buffer).length;
      return received;
    };

    expect(await upload(WARM_UP_BYTES)).toBe(WARM_UP_BYTES);
    expect(await download(WARM_UP_BYTES)).toBe(WARM_UP_BYTES);
    const baseline = await rssBytes(pid);
    const started = performance.now();
    let uploaded = 0;
    const uploadPeak = await peakRss(
      pid,
      upload(BODY_BYTES).then((n) => {
        uploaded = n;
      }),
    );
    const uploadSeconds = (performance.now() - started) / 1_000;
    let downloaded = 0;
    const downloadPeak = await peakRss(
      pid,
      download(BODY_BYTES).then((n) => {
        downloaded = n;
      }),
    );
    const totalSeconds = (performance.now() - started) / 1_000;
    const after = await rssBytes(pid);
    console.info(
      `weft-proxy RSS: ${mb(baseline)} MB warmed up, peak ${mb(uploadPeak)} MB during the ` +
        `${mb(BODY_BYTES)} MB upload (${uploadSeconds.toFixed(1)} s), peak ${mb(downloadPeak)} MB ` +
        `during the download (${(totalSeconds - uploadSeconds).toFixed(1)} s), ${mb(after)} MB after`,
    );
    expect(uploaded).toBe(BODY_BYTES);
    expect(downloaded).toBe(BODY_BYTES);
    expect(uploadPeak - baseline).toBeLessThan(MAX_RSS_GROWTH_BYTES);
    expect(downloadPeak - baseline).toBeLessThan(MAX_RSS_GROWTH_BYTES);
  }, 120_000);
});

describe('an answer to an Upgrade that the caller does not read', () => {
  let mesh: TestMesh | undefined;
  afterAll(async () => {
    await mesh?.close();
  });

  it('holds back the upstream instead of buffering the answer, and survives a reset', async () => {
    const total = 256 * 1024 * 1024;
    let served = 0;
    mesh = await startTestMesh(TEST_MESH('\n    - backendRefs: [{ name: server, version: v1 }]'), {
      handlers: {
        // No 'upgrade' listener: node hands the Upgrade request here, and it gets a plain 200.
        v1: (_req, res) => {
          res.writeHead(200, { 'content-length': String(total) });
          const source = body(total);
          source.on('data', (chunk: Buffer) => {
            served += chunk.length;
          });
          source.pipe(res);
          res.once('close', () => source.destroy());
        },
      },
    });
    const socket = createConnection({
      host: '127.0.0.1',
      port: mesh.proxies.client.ports.httpProxy ?? 0,
    });
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.write(
      'GET /big HTTP/1.1\r\nhost: server\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n',
    );
    const [head] = (await once(socket, 'data')) as [Buffer];
    expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
    socket.pause();
    // Until the upstream is held back: the count stops moving (or, unbounded, reaches the end).
    let servedWhilePaused = -1;
    for (const deadline = performance.now() + 10_000; performance.now() < deadline; ) {
      servedWhilePaused = served;
      await sleep(500);
      if (served === servedWhilePaused || served >= total) break;
    }
    // Kernel and stream buffers over two proxies and three connections, not the 256 MB.
    expect(served).toBeLessThan(64 * 1024 * 1024);
    // A reset (RST) while the proxy is writing: an error on a socket node no longer guards.
    socket.resetAndDestroy();
    expect((await call(mesh.proxies.client, 'server', '/after')).status).toBe(200);
  });
});
