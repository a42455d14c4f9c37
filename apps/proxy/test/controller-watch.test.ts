// The proxy's side of config push against a controller that fails in the ways real ones do: an
// ACK that the controller cannot record (500) must not stop the proxy from applying later
// snapshots, nor crash it; it reconnects, is sent the snapshot again, and answers it. A telemetry
// batch the controller refuses for what it holds (422) is dropped, not sent for ever.

import { once } from 'node:events';
import { get, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createTestPki, type TestPki } from '@weft/pki';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy.ts';
import { compile, launch, proxyConfig, readBody, tempDir, writeIdentity } from './harness.ts';
import { TEST_MESH } from './mesh-fixture.ts';

const WORKLOAD = { id: 'client-1', service: 'client', namespace: 'shop' };

interface FakeController {
  readonly server: Server;
  readonly url: string;
  /** Every ACK the proxy sent, with the status it was answered. */
  readonly acks: readonly { version: string; status: number }[];
  /** Watch streams opened so far. */
  readonly watches: number;
  /** The sequence of every telemetry batch the proxy sent, with the status it was answered. */
  readonly batches: readonly { sequence: number; status: number }[];
}

/** A controller that streams one snapshot to each watch and cannot record the first ACK. */
async function startFakeController(
  pki: TestPki,
  snapshot: (watch: number) => unknown,
): Promise<FakeController> {
  const own = await pki.identity('weft-system', 'controller');
  const acks: { version: string; status: number }[] = [];
  const batches: { sequence: number; status: number }[] = [];
  let watches = 0;
  const server = createServer(
    { cert: own.certPem, key: own.keyPem, ca: own.caPem, requestCert: true },
    async (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/v1/watch') {
        watches += 1;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot(watches))}\n\n`);
        return;
      }
      const body = JSON.parse((await readBody(req)).toString() || '{}') as {
        version?: string;
        sequence?: number;
      };
      if (path === '/v1/telemetry') {
        // The first batch is refused for what it holds; the rest are taken.
        const status = batches.length === 0 ? 422 : 200;
        batches.push({ sequence: Number(body.sequence), status });
        const answer = status === 200 ? { merged: true } : { error: 'series[0].destination' };
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      if (path === '/v1/ack') {
        const status = acks.length === 0 ? 500 : 200;
        acks.push({ version: String(body.version), status });
        const answer = status === 200 ? { recorded: true } : { error: 'database is locked' };
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    acks,
    batches,
    get watches() {
      return watches;
    },
  };
}

describe('controller watch', () => {
  let proxy: RunningProxy | undefined;
  let controller: FakeController | undefined;
  afterEach(async () => {
    await proxy?.close();
    controller?.server.closeAllConnections();
    controller?.server.close();
    proxy = undefined;
  });

  /** A fake controller serving the client a snapshot with one server, and the client's proxy. */
  const startWatched = async (ports: readonly [number, number], telemetryIntervalMs?: number) => {
    const pki = await createTestPki({ intermediate: true });
    const workloads = [
      { ...WORKLOAD, address: '127.0.0.1', port: ports[0] },
      {
        id: 'server-1',
        service: 'server',
        namespace: 'shop',
        address: '127.0.0.1',
        port: ports[1],
      },
    ];
    const mesh = TEST_MESH('    - backendRefs: [{ name: server }]');
    const fake = await startFakeController(pki, (watch) =>
      compile(mesh, workloads, `r1.${watch}`).get(WORKLOAD.id),
    );
    controller = fake;
    const files = await writeIdentity(pki, await tempDir(), 'shop', 'client');
    const watched = await launch(
      proxyConfig(WORKLOAD, 1, files, {
        sections: {
          controller: {
            url: fake.url,
            trustBundleFile: files.trustBundleFile,
            ...(telemetryIntervalMs === undefined ? {} : { telemetryIntervalMs }),
          },
        },
      }),
    );
    proxy = watched;
    return { fake, proxy: watched };
  };

  it('survives an ACK the controller cannot record, reconnects, and answers the snapshot again', async () => {
    const { fake, proxy } = await startWatched([15_001, 15_002]);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !fake.acks.some((a) => a.status === 200))
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.acks[0]?.status).toBe(500);
    const recorded = fake.acks.find((a) => a.status === 200);
    expect(recorded).toBeDefined();
    expect(fake.watches).toBeGreaterThanOrEqual(2);
    expect(proxy.store.current()?.snapshot.version).toBe(recorded?.version);
  });

  it('drops a telemetry batch the controller refuses for what it holds, and sends the next', async () => {
    const { fake, proxy } = await startWatched([15_011, 15_012], 100);
    const deadline = Date.now() + 15_000;
    // Calls to a server nobody runs: each fails, and each is recorded all the same.
    while (Date.now() < deadline && !fake.batches.some((b) => b.status === 200)) {
      if (proxy.store.current() !== undefined)
        await new Promise((resolve) => {
          // fetch() would not send a Host of our choosing; the HTTP_PROXY listener routes by it.
          get({ port: proxy.ports.httpProxy, path: '/', headers: { host: 'server' } }, (res) =>
            res.resume().once('end', resolve),
          ).once('error', resolve);
        });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [refused, next] = fake.batches;
    expect(refused?.status).toBe(422);
    expect(next?.status).toBe(200);
    expect(next?.sequence).not.toBe(refused?.sequence);
  });
});
