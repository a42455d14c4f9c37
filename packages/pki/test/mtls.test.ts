// A real mutual-TLS handshake over loopback with the test PKI, over TLS 1.3 and TLS 1.2.

import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type SecureVersion } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, spiffeIdOf, type TestIdentity, type TestPki } from '../src/index.ts';

const HOUR_MS = 3_600_000;

interface Outcome {
  /** The client's SPIFFE ID as the server read it, when the server accepted the client. */
  readonly serverSawClient?: string | undefined;
  /** Why the server refused the client: OpenSSL's verification code, or node's error code. */
  readonly serverRefused?: string;
  readonly protocol?: string | null;
  /** What the client read: the server's reply, so empty when refused. */
  readonly clientRead: string;
}

async function handshake(
  server: TestIdentity,
  client: Partial<Pick<TestIdentity, 'certPem' | 'keyPem'>>,
  maxVersion: SecureVersion,
): Promise<Outcome> {
  let serverSide!: (outcome: Omit<Outcome, 'clientRead'>) => void;
  const serverDone = new Promise<Omit<Outcome, 'clientRead'>>((resolve) => {
    serverSide = resolve;
  });
  const tlsServer = createServer(
    {
      cert: server.certPem,
      key: server.keyPem,
      ca: server.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      maxVersion,
    },
    (socket) => {
      const peer = socket.getPeerX509Certificate();
      const seen = peer && spiffeIdOf(peer);
      serverSide({ serverSawClient: seen, protocol: socket.getProtocol() });
      socket.end(`hello ${seen}`);
    },
  );
  // node drops a client whose certificate fails verification and reports only the reset;
  // the verification result stays on the socket.
  tlsServer.on('tlsClientError', (error: Error & { code?: string }, socket) => {
    serverSide({ serverRefused: String(socket.authorizationError ?? error.code) });
  });
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const { port } = tlsServer.address() as AddressInfo;
  try {
    const clientRead = await new Promise<string>((resolve) => {
      let read = '';
      const socket = connect({
        host: '127.0.0.1',
        port,
        ca: server.caPem,
        ...(client.certPem !== undefined && { cert: client.certPem }),
        ...(client.keyPem !== undefined && { key: client.keyPem }),
        maxVersion,
        // Peers are named by SPIFFE ID, not hostname, as the proxy will check them.
        checkServerIdentity: (_host, cert) =>
          spiffeIdOf(new X509Certificate(cert.raw)) === server.spiffeId
            ? undefined
            : new Error('unexpected server identity'),
      });
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        read += chunk;
      });
      // A refused client sees an alert, as an error, then the close.
      socket.on('error', () => {});
      socket.on('close', () => resolve(read));
    });
    return { ...(await serverDone), clientRead };
  } finally {
    await new Promise((resolve) => tlsServer.close(resolve));
  }
}

let pki: TestPki;
let server: TestIdentity;
let client: TestIdentity;

beforeAll(async () => {
  pki = await createTestPki({ intermediate: true });
  [server, client] = await Promise.all([
    pki.identity('weft-system', 'gateway'),
    pki.identity('shop', 'checkout'),
  ]);
});

describe.each(['TLSv1.3', 'TLSv1.2'] as const)('mutual TLS at most %s', (maxVersion) => {
  it('accepts a client of the mesh and tells the server who it is', async () => {
    const outcome = await handshake(server, client, maxVersion);
    expect(outcome.serverRefused).toBeUndefined();
    expect(outcome.protocol).toBe(maxVersion);
    expect(outcome.serverSawClient).toBe(client.spiffeId);
    expect(outcome.clientRead).toBe(`hello ${client.spiffeId}`);
  });

  it('refuses a client certified by a foreign CA, even for the same identity', async () => {
    const foreign = await createTestPki({ intermediate: true });
    const impostor = await foreign.identity('shop', 'checkout');
    expect(impostor.spiffeId).toBe(client.spiffeId);
    const outcome = await handshake(server, impostor, maxVersion);
    expect(outcome.serverRefused).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    expect(outcome.clientRead).toBe('');
  });

  it('refuses an expired client certificate', async () => {
    const expired = await pki.identity('shop', 'checkout', {
      notBefore: new Date(Date.now() - 2 * HOUR_MS),
      lifetimeMs: HOUR_MS,
    });
    const outcome = await handshake(server, expired, maxVersion);
    expect(outcome.serverRefused).toBe('CERT_HAS_EXPIRED');
    expect(outcome.clientRead).toBe('');
  });

  it('refuses a client without a certificate', async () => {
    const outcome = await handshake(server, {}, maxVersion);
    expect(outcome.serverRefused).toBe('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
    expect(outcome.clientRead).toBe('');
  });
});
