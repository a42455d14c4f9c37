// Bootstrap against a controller over real TLS: the request the proxy sends is the one the
// protocol defines, a refusal reads as one, and an answer that breaks the protocol is an error
// naming the field, with nothing written to disk (not a crash, nor a certificate file holding "42").

import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestPki } from '@weft/pki';
import { ProtocolError, proxyApi } from '@weft/proxy-protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ProxyConfig, proxyConfigSchema } from '../config/proxy-config.ts';
import { BootstrapError, ensureCertificate } from './bootstrap.ts';

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A controller's proxy API that answers every bootstrap with `answer`, keeping what was sent. */
async function startController(answer: Answer) {
  const pki = await createTestPki();
  const own = await pki.identity('weft-system', 'controller');
  const received: unknown[] = [];
  const server: Server = createServer(
    { cert: own.certPem, key: own.keyPem },
    async (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      received.push({ path: req.url, body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    received,
    caPem: own.caPem,
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
  };
}

describe('bootstrap', () => {
  let dir: string;
  let server: Server | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-bootstrap-'));
  });
  afterEach(async () => {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const bootstrapWith = async (answer: Answer) => {
    const controller = await startController(answer);
    server = controller.server;
    await writeFile(join(dir, 'ca.pem'), controller.caPem);
    await writeFile(join(dir, 'token'), 'join-token\n');
    const config: ProxyConfig = proxyConfigSchema.parse({
      apiVersion: 'weft.dev/v1alpha1',
      kind: 'ProxyConfig',
      workload: { id: 'client-1', service: 'client', namespace: 'shop' },
      inbound: { address: '127.0.0.1', port: 15_001 },
      application: { port: 8080 },
      tls: {
        certFile: join(dir, 'cert.pem'),
        keyFile: join(dir, 'key.pem'),
        trustBundleFile: join(dir, 'bundle.pem'),
      },
      controller: {
        url: controller.url,
        trustBundleFile: join(dir, 'ca.pem'),
        joinTokenFile: join(dir, 'token'),
      },
    });
    return { outcome: ensureCertificate(config), received: controller.received };
  };

  it('sends the request the protocol defines, and writes what a good answer holds', async () => {
    const { outcome, received } = await bootstrapWith({
      status: 200,
      body: JSON.stringify({
        proxyId: 'client-1',
        identity: 'spiffe://weft.local/ns/shop/sa/client',
        certificate: 'CERTIFICATE\n',
        trustBundle: 'BUNDLE\n',
        notAfter: '2026-12-05T18:00:00.000Z',
      }),
    });
    expect(await outcome).toBe('bootstrapped');
    const [sent] = received as { path: string; body: unknown }[];
    expect(sent?.path).toBe(proxyApi.bootstrap.path);
    expect(proxyApi.bootstrap.request.parse(sent?.body)).toMatchObject({
      token: 'join-token',
      workload: { id: 'client-1', address: '127.0.0.1', port: 15_001 },
    });
    expect((await readdir(dir)).sort()).toEqual([
      'bundle.pem',
      'ca.pem',
      'cert.pem',
      'key.pem',
      'token',
    ]);
  });

  it('names the field of an answer that breaks the protocol, and writes nothing', async () => {
    const { outcome } = await bootstrapWith({
      status: 200,
      body: JSON.stringify({
        proxyId: 'client-1',
        identity: 'spiffe://weft.local/ns/shop/sa/client',
        certificate: 42,
        notAfter: '2026-12-05T18:00:00.000Z',
      }),
    });
    const error = await outcome.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/^the answer to \/v1\/bootstrap is malformed: /);
    expect((error as Error).message).toContain('certificate: ');
    expect((error as Error).message).toContain('trustBundle: ');
    expect((await readdir(dir)).sort()).toEqual(['ca.pem', 'token']);
  });

  it("reports a refusal with the controller's reason", async () => {
    const { outcome } = await bootstrapWith({
      status: 401,
      body: JSON.stringify({ error: 'the join token has expired' }),
    });
    await expect(outcome).rejects.toThrow(
      new BootstrapError(
        'the controller refused to bootstrap client-1: the join token has expired',
      ),
    );
  });
});
