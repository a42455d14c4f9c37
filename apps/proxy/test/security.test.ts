// The inbound door: only peers with a certificate from the mesh CA, valid now, get in; the peer
// a proxy reaches must be the service it meant; access policy says who may call what.

import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { type ConnectionOptions, connect } from 'node:tls';
import { createTestPki } from '@weft/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, writeIdentity } from './harness.ts';
import { startTestMesh, TEST_MESH, type TestMesh } from './mesh-fixture.ts';
import { exchange, plainOpener } from './raw-http.ts';

const ROUTE = `
    - backendRefs: [{ name: server, version: v1 }]`;

const DENY_DELETE = `---
apiVersion: weft.dev/v1alpha1
kind: AccessPolicy
metadata: { name: no-delete, namespace: shop }
spec:
  targetRef: { name: server }
  action: deny
  from: [{ namespace: shop }]
  methods: [DELETE]`;

/** Speaks HTTP/1.1 over a TLS connection made with the given options; resolves the status line. */
async function tlsRequest(
  port: number,
  options: ConnectionOptions,
): Promise<{ status: string; resumed: boolean; session?: Buffer }> {
  const socket = connect({
    host: '127.0.0.1',
    port,
    checkServerIdentity: () => undefined,
    ...options,
  });
  let session: Buffer | undefined;
  socket.on('session', (s: Buffer) => {
    session = s;
  });
  try {
    await once(socket, 'secureConnect');
    const resumed = socket.isSessionReused();
    socket.write('GET / HTTP/1.1\r\nhost: server\r\nconnection: close\r\n\r\n');
    let text = '';
    for await (const chunk of socket) text += String(chunk);
    return { status: text.split('\r\n')[0] ?? '', resumed, ...(session ? { session } : {}) };
  } catch (error) {
    return {
      status: `refused: ${(error as Error & { code?: string }).code ?? (error as Error).message}`,
      resumed: false,
    };
  } finally {
    socket.destroy();
  }
}

describe('mTLS and access policy', () => {
  let mesh: TestMesh;
  let inbound: number;
  beforeAll(async () => {
    mesh = await startTestMesh(TEST_MESH(ROUTE, DENY_DELETE));
    inbound = mesh.proxies.v1.ports.inbound;
  });
  afterAll(async () => {
    await mesh?.close();
  });

  async function materialFor(files: {
    certFile: string;
    keyFile: string;
    trustBundleFile: string;
  }) {
    const [cert, key, ca] = await Promise.all([
      readFile(files.certFile),
      readFile(files.keyFile),
      readFile(files.trustBundleFile),
    ]);
    return { cert, key, ca };
  }

  it('admits a peer with a mesh certificate, also on a resumed session, over TLS 1.3 and 1.2', async () => {
    const material = await materialFor(mesh.files.client);
    const first = await tlsRequest(inbound, material);
    expect(first.status).toBe('HTTP/1.1 200 OK');
    const again = await tlsRequest(inbound, {
      ...material,
      ...(first.session ? { session: first.session } : {}),
    });
    expect(again).toMatchObject({ status: 'HTTP/1.1 200 OK', resumed: true });
    expect((await tlsRequest(inbound, { ...material, maxVersion: 'TLSv1.2' })).status).toBe(
      'HTTP/1.1 200 OK',
    );
  });

  it('refuses a peer without a client certificate', async () => {
    const { ca } = await materialFor(mesh.files.client);
    expect((await tlsRequest(inbound, { ca })).status).not.toMatch(/200/);
  });

  it('refuses a certificate from another CA', async () => {
    const foreign = await createTestPki();
    const stranger = await foreign.identity('shop', 'client');
    const { ca } = await materialFor(mesh.files.client);
    expect(
      (await tlsRequest(inbound, { cert: stranger.certPem, key: stranger.keyPem, ca })).status,
    ).not.toMatch(/200/);
  });

  it('refuses an expired certificate', async () => {
    const expired = await writeIdentity(mesh.pki, mesh.dir, 'shop', 'client', {
      notBefore: new Date(Date.now() - 2 * 3_600_000),
      lifetimeMs: 3_600_000,
    });
    expect((await tlsRequest(inbound, await materialFor(expired))).status).not.toMatch(/200/);
  });

  it('refuses plaintext in STRICT mode', async () => {
    const { text, closed } = await exchange(
      plainOpener(inbound),
      'GET / HTTP/1.1\r\nhost: server\r\n\r\n',
    );
    expect(closed).toBe(true);
    expect(text).not.toContain('200 OK');
  });

  it('counts every refusal by reason', async () => {
    const metrics = await (
      await fetch(`http://127.0.0.1:${mesh.proxies.v1.ports.admin}/metrics`)
    ).text();
    const refused = [...metrics.matchAll(/^weft_tls_rejections_total\{reason="([^"]+)"\} (\d+)/gm)];
    expect(refused.reduce((sum, m) => sum + Number(m[2]), 0)).toBeGreaterThanOrEqual(4);
    expect(metrics).toMatch(
      /weft_tls_handshakes_total\{direction="inbound",resumed="true"\} [1-9]/,
    );
  });

  it('fails with 502 when the peer is not the service expected', async () => {
    const impostor = mesh.snapshots(TEST_MESH(ROUTE, DENY_DELETE));
    const snapshot = impostor.get('client-1');
    if (snapshot === undefined) throw new Error('no client snapshot');
    const wrong = {
      ...snapshot,
      hash: 'f'.repeat(64),
      clusters: snapshot.clusters.map((c) => ({
        ...c,
        identity: 'spiffe://weft.local/ns/shop/sa/billing',
      })),
    };
    await mesh.proxies.client.store.apply(wrong);
    const response = await call(mesh.proxies.client, 'server', '/');
    expect(response.status).toBe(502);
    expect(response.headers['x-weft-error']).toBe('upstream-identity-mismatch');
    await mesh.proxies.client.store.apply(snapshot);
    expect((await call(mesh.proxies.client, 'server', '/')).status).toBe(200);
  });

  it('answers 403 naming the rule when access policy denies', async () => {
    const response = await call(mesh.proxies.client, 'server', '/items/1', { method: 'DELETE' });
    expect(response.status).toBe(403);
    expect(response.headers['x-weft-error']).toBe('access-denied');
    expect(response.text).toContain('AccessPolicy/shop/no-delete');
    expect((await call(mesh.proxies.client, 'server', '/items/1')).status).toBe(200);
  });
});
