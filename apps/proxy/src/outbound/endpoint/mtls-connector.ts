// Opens mTLS connections to peer proxies: the proxy's one SecureContext (never per connection),
// TLS sessions resumed per peer, and the peer's SPIFFE ID checked against the one expected.

import { connect, type TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';
import { peerCertificateRevoked, peerIdentityMismatch } from '../../errors.ts';
import { spiffeIdOf } from '../../tls/identity.ts';
import type { IdentityHolder } from '../../tls/identity-holder.ts';

export interface ConnectorParams {
  readonly identity: IdentityHolder;
  readonly expectedIdentity: string;
  readonly connectTimeoutMs: number;
  readonly onHandshake: (resumed: boolean) => void;
  readonly isRevoked: (serial: string) => boolean;
}

export function createMtlsConnector(params: ConnectorParams): buildConnector.connector {
  let session: Buffer | undefined;
  return (options, callback) => {
    const socket: TLSSocket = connect({
      host: options.hostname,
      port: Number(options.port),
      secureContext: params.identity.current().context,
      // Peers are named by SPIFFE ID, not DNS: the chain is verified against the trust bundle
      // and the identity checked below instead of a host name.
      checkServerIdentity: () => undefined,
      ALPNProtocols: ['http/1.1'],
      ...(session === undefined ? {} : { session }),
    });
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => socket.destroy(connectTimeout(params.connectTimeoutMs)),
      params.connectTimeoutMs,
    );
    // A ticket is kept only from a connection whose peer identity was checked, so a resumed
    // session (which carries no certificate to check) is as trusted as the one it resumes.
    let verified = false;
    let pendingTicket: Buffer | undefined;
    socket.on('session', (ticket: Buffer) => {
      if (verified) session = ticket;
      else pendingTicket = ticket;
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const resumed = socket.isSessionReused();
      const certificate = resumed ? undefined : socket.getPeerX509Certificate();
      if (certificate !== undefined && params.isRevoked(certificate.serialNumber)) {
        const error = peerCertificateRevoked(certificate.serialNumber);
        socket.destroy(error);
        callback(error, null);
        return;
      }
      const actual = resumed ? params.expectedIdentity : spiffeIdOf(certificate);
      if (actual !== params.expectedIdentity) {
        const error = peerIdentityMismatch(params.expectedIdentity, actual);
        socket.destroy(error);
        callback(error, null);
        return;
      }
      verified = true;
      if (pendingTicket !== undefined) session = pendingTicket;
      params.onHandshake(resumed);
      callback(null, socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      callback(error, null);
    });
  };
}

function connectTimeout(ms: number): Error {
  return Object.assign(new Error(`connect timeout after ${ms} ms`), {
    code: 'UND_ERR_CONNECT_TIMEOUT',
  });
}
