// Hostile peers at the mTLS door: revoked certificates (at the handshake, on a resumed session,
// on a connection already open when the revocation lands, and a revoked peer proxy outbound),
// and handshakes that never finish. The other refusals (foreign CA, expired, no certificate,
// plaintext in STRICT, wrong SPIFFE ID) are in security.test.ts.

import { createHash, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { Duplex } from 'node:stream';
import { type ConnectionOptions, connect } from 'node:tls';
import type { ProxySnapshot } from '@weft/mesh-config';
import { createTestPki } from '@weft/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../src/proxy.ts';
import { call, writeIdentity } from './harness.ts';
import { startTestMesh, TEST_MESH, type TestMesh } from './mesh-fixture.ts';
import { collect, counter, exchange, sleep, tlsMaterial, tlsOpener } from './raw-http.ts';

const ROUTE = `
    - backendRefs: [{ name: server, version: v1 }]`;
const LIMITS = { headersTimeoutMs: 1_000 };
/** Scheduling slack on a loaded 2-core machine. */
const SLACK_MS = 1_500;
const GET = 'GET /tls HTTP/1.1\r\nhost: server\r\n\r\n';

/** The snapshot in force on a proxy, changed as given (a new hash, so that it is applied). */
async function reapply(
  proxy: RunningProxy,
  change: (snapshot: ProxySnapshot) => Partial<ProxySnapshot>,
): Promise<void> {
  const current = proxy.store.current()?.snapshot;
  if (current === undefined) throw new Error('no snapshot applied');
  const next = { ...current, ...change(current) };
  const hash = createHash('sha256')
    .update(JSON.stringify({ ...next, hash: '' }))
    .digest('hex');
  await proxy.store.apply({ ...next, hash });
}

const revoke = (proxy: RunningProxy, serials: string[]) =>
  reapply(proxy, () => ({ revokedSerials: serials }));

/**
 * A TLS client whose bytes reach the proxy one every `intervalMs`: a ClientHello that takes
 * minutes. Resolves when the proxy closes the connection (or after `deadlineMs`).
 */
async function dripHandshake(port: number, intervalMs: number, deadlineMs: number) {
  const raw = createConnection({ host: '127.0.0.1', port });
  raw.on('error', () => {});
  await once(raw, 'connect');
  const pending: number[] = [];
  const wire = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      pending.push(...chunk);
      callback();
    },
  });
  raw.on('data', (chunk) => wire.push(chunk));
  const drip = setInterval(() => {
    const byte = pending.shift();
    if (byte !== undefined && !raw.destroyed) raw.write(Buffer.of(byte));
  }, intervalMs);
  const client = connect({ socket: wire, checkServerIdentity: () => undefined });
  client.on('error', () => {});
  const result = await collect(raw, deadlineMs);
  clearInterval(drip);
  client.destroy();
  return result;
}

/** A caller that resets the connection (TCP RST) before its first byte. */
async function resetAtOnce(port: number): Promise<void> {
  const socket = createConnection({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.resetAndDestroy();
  await once(socket, 'close');
}

describe('hostile peers at the mTLS port', () => {
  let mesh: TestMesh;
  const tlsRejected = (proxy: RunningProxy, reason: string) =>
    counter(proxy, 'weft_tls_rejections_total', { reason });

  beforeAll(async () => {
    mesh = await startTestMesh(TEST_MESH(ROUTE), {
      sections: { client: { limits: LIMITS }, v1: { limits: LIMITS } },
    });
  });
  afterAll(async () => {
    await mesh?.close();
  });

  /**
   * Connects with `options` and writes a request at once, as a client does: the request leaves
   * in the same flight as the end of the handshake, before the client knows it is refused.
   */
  async function eagerRequest(path: string, options: ConnectionOptions) {
    const socket = connect({
      host: '127.0.0.1',
      port: mesh.proxies.v1.ports.inbound,
      checkServerIdentity: () => undefined,
      ...options,
    });
    socket.on('error', () => {});
    let ticket: Buffer | undefined;
    socket.on('session', (session: Buffer) => {
      ticket = session;
    });
    let resumed = false;
    socket.once('secureConnect', () => {
      resumed = socket.isSessionReused();
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nhost: server\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`,
    );
    const answer = await collect(socket, 3_000);
    return { ...answer, ticket, resumed };
  }
  const reached = (path: string) => mesh.services.v1.hits.some((hit) => hit.url === path);

  it('never lets the first request of a refused peer through, and counts each refusal by reason', async () => {
    const v1 = mesh.proxies.v1;
    const { ca } = await tlsMaterial(mesh.files.client);
    const stranger = await (await createTestPki()).identity('shop', 'client');
    const expired = await tlsMaterial(
      await writeIdentity(mesh.pki, mesh.dir, 'shop', 'client', {
        notBefore: new Date(Date.now() - 2 * 3_600_000),
        lifetimeMs: 3_600_000,
      }),
    );
    const refusals = [
      {
        path: '/foreign-ca',
        reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        options: { cert: stranger.certPem, key: stranger.keyPem, ca },
      },
      { path: '/expired', reason: 'CERT_HAS_EXPIRED', options: expired },
      { path: '/no-certificate', reason: 'NO_CLIENT_CERTIFICATE', options: { ca } },
    ];
    for (const { path, reason, options } of refusals) {
      const before = await tlsRejected(v1, reason);
      const answer = await eagerRequest(path, options);
      expect({ path, status: answer.status, closed: answer.closed }).toEqual({
        path,
        status: '',
        closed: true,
      });
      expect({ path, counted: (await tlsRejected(v1, reason)) - before }).toEqual({
        path,
        counted: 1,
      });
    }
    // Plaintext in STRICT mode: the TLS server refuses what is not a handshake.
    const before = await tlsRejected(v1, 'ERR_SSL_HTTP_REQUEST');
    const plaintext = await exchange(async () => {
      const socket = createConnection({ host: '127.0.0.1', port: v1.ports.inbound });
      await once(socket, 'connect');
      return socket;
    }, 'POST /plaintext HTTP/1.1\r\nhost: server\r\ncontent-length: 0\r\n\r\n');
    expect([plaintext.status, plaintext.closed]).toEqual(['', true]);
    expect((await tlsRejected(v1, 'ERR_SSL_HTTP_REQUEST')) - before).toBe(1);
    await sleep(100);
    for (const path of [...refusals.map((r) => r.path), '/plaintext'])
      expect(reached(path)).toBe(false);
  });

  it('refuses a revoked client certificate: new handshakes, resumed sessions, open connections', async () => {
    const v1 = mesh.proxies.v1;
    const files = await writeIdentity(mesh.pki, mesh.dir, 'shop', 'client');
    const serial = new X509Certificate(await readFile(files.certFile)).serialNumber;
    const material = await tlsMaterial(files);
    const before = await tlsRejected(v1, 'CERT_REVOKED');

    // Before the revocation: served, with a connection kept open and a session ticket kept.
    const kept = await tlsOpener(v1.ports.inbound, material)();
    kept.on('error', () => {});
    let ticket: Buffer | undefined;
    kept.on('session', (session: Buffer) => {
      ticket = session;
    });
    kept.write(GET);
    await once(kept, 'data');
    expect(ticket).toBeDefined();
    const keptClosed = collect(kept, 5_000);

    await revoke(v1, [serial]);
    const closed = await keptClosed;
    expect(closed.closed).toBe(true);
    expect(closed.elapsedMs).toBeLessThan(SLACK_MS);

    const fresh = await eagerRequest('/revoked-fresh', material);
    expect([fresh.status, fresh.closed]).toEqual(['', true]);
    const resumed = await eagerRequest('/revoked-resumed', {
      ...material,
      ...(ticket === undefined ? {} : { session: ticket }),
    });
    expect([resumed.status, resumed.closed, resumed.resumed]).toEqual(['', true, true]);

    expect((await tlsRejected(v1, 'CERT_REVOKED')) - before).toBe(3);
    await sleep(100);
    expect(reached('/revoked-fresh')).toBe(false);
    expect(reached('/revoked-resumed')).toBe(false);
    // Another certificate of the same service is not touched.
    const other = await eagerRequest('/other', await tlsMaterial(mesh.files.client));
    expect(other.status).toBe('HTTP/1.1 200 OK');
    await revoke(v1, []);
  });

  it('stops a client proxy whose certificate is revoked, end to end', async () => {
    const { client, v1 } = mesh.proxies;
    expect((await call(client, 'server', '/before')).status).toBe(200);
    const before = await tlsRejected(v1, 'CERT_REVOKED');
    await revoke(v1, [client.identity.current().serial]);
    const refused = await call(client, 'server', '/revoked');
    expect(refused.status).toBeGreaterThanOrEqual(502);
    expect(['upstream-reset', 'upstream-connect-failure']).toContain(
      refused.headers['x-weft-error'],
    );
    expect(mesh.services.v1.hits.some((hit) => hit.url === '/revoked')).toBe(false);
    expect((await tlsRejected(v1, 'CERT_REVOKED')) - before).toBeGreaterThanOrEqual(1);
    await revoke(v1, []);
    expect((await call(client, 'server', '/after')).status).toBe(200);
  });

  it('stops sending to a peer proxy whose certificate is revoked, pooled connections included', async () => {
    const { client, v1 } = mesh.proxies;
    // A pooled keep-alive connection and a session ticket to the peer exist from here on.
    expect((await call(client, 'server', '/pooled')).status).toBe(200);
    await revoke(client, [v1.identity.current().serial]);
    const refused = await call(client, 'server', '/to-revoked-peer');
    expect(refused.status).toBe(502);
    expect(refused.headers['x-weft-error']).toBe('upstream-certificate-revoked');
    expect(mesh.services.v1.hits.some((hit) => hit.url === '/to-revoked-peer')).toBe(false);
    await revoke(client, []);
    expect((await call(client, 'server', '/after')).status).toBe(200);
  });

  it('closes handshakes that do not finish within limits.headersTimeoutMs', async () => {
    const v1 = mesh.proxies.v1;
    const before = await tlsRejected(v1, 'ERR_TLS_HANDSHAKE_TIMEOUT');
    const [silent, dripping] = await Promise.all([
      exchange(async () => {
        const socket = createConnection({ host: '127.0.0.1', port: v1.ports.inbound });
        await once(socket, 'connect');
        return socket;
      }, ''),
      dripHandshake(v1.ports.inbound, 50, LIMITS.headersTimeoutMs + SLACK_MS + 2_000),
      resetAtOnce(v1.ports.inbound),
    ]);
    for (const slow of [silent, dripping]) {
      expect(slow.closed).toBe(true);
      expect(slow.elapsedMs).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 100);
      expect(slow.elapsedMs).toBeLessThan(LIMITS.headersTimeoutMs + SLACK_MS);
    }
    expect((await tlsRejected(v1, 'ERR_TLS_HANDSHAKE_TIMEOUT')) - before).toBe(2);
    expect((await call(mesh.proxies.client, 'server', '/still-serving')).status).toBe(200);
  });

  it('in PERMISSIVE mode, closes a caller that sends nothing or drips its handshake', async () => {
    const v1 = mesh.proxies.v1;
    await reapply(v1, (s) => ({ mesh: { ...s.mesh, mtlsMode: 'PERMISSIVE' } }));
    const before = {
      silent: await counter(v1, 'weft_http_rejections_total', { reason: 'headers-timeout' }),
      handshake: await tlsRejected(v1, 'ERR_TLS_HANDSHAKE_TIMEOUT'),
    };
    const [silent, dripping] = await Promise.all([
      exchange(async () => {
        const socket = createConnection({ host: '127.0.0.1', port: v1.ports.inbound });
        await once(socket, 'connect');
        return socket;
      }, ''),
      dripHandshake(v1.ports.inbound, 50, LIMITS.headersTimeoutMs + SLACK_MS + 2_000),
    ]);
    await resetAtOnce(v1.ports.inbound);
    await sleep(50);
    for (const slow of [silent, dripping]) {
      expect(slow.closed).toBe(true);
      expect(slow.elapsedMs).toBeLessThan(LIMITS.headersTimeoutMs + SLACK_MS);
    }
    expect(
      (await counter(v1, 'weft_http_rejections_total', { reason: 'headers-timeout' })) -
        before.silent,
    ).toBe(1);
    expect((await tlsRejected(v1, 'ERR_TLS_HANDSHAKE_TIMEOUT')) - before.handshake).toBe(1);
    expect((await call(mesh.proxies.client, 'server', '/still-serving')).status).toBe(200);
    await reapply(v1, (s) => ({ mesh: { ...s.mesh, mtlsMode: 'STRICT' } }));
  });
});
