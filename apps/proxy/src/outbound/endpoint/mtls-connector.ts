// Opens mTLS connections to peer proxies: the proxy's one SecureContext (never per connection),
// TLS sessions resumed per peer, and the peer's SPIFFE ID checked against the one expected.

import { connect, type TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';
import { peerCertificateRevoked, peerIdentityMismatch } from '../../errors.ts';
import { channels } from '../../telemetry/channels.ts';
import { spiffeIdOf } from '../../tls/identity.ts';
import type { IdentityHolder } from '../../tls/identity-holder.ts';

/**
 * The TLS session to resume with one peer (its address and expected identity), shared by every
 * pool to it: a pool made for a changed limit resumes instead of paying full handshakes.
 */
export interface PeerSession {
  ticket: Buffer | undefined;
  /** The serial of the certificate checked on the connection that issued the ticket. */
  serial: string | undefined;
}

export interface ConnectorParams {
  readonly identity: IdentityHolder;
  readonly expectedIdentity: string;
  readonly connectTimeoutMs: number;
  /** Tags the handshake events. */
  readonly proxy: object;
  readonly isRevoked: (serial: string) => boolean;
  /** A connection ready for requests, and the serial of the certificate its peer proved. */
  readonly onConnected?: (socket: TLSSocket, serial: string) => void;
  /** Shared with other connectors to the same peer; by default this connector's own. */
  readonly session?: PeerSession;
}

export function createMtlsConnector(params: ConnectorParams): buildConnector.connector {
  const session: PeerSession = params.session ?? { ticket: undefined, serial: undefined };
  return (options, callback) => {
    const socket: TLSSocket = connect({
      host: options.hostname,
      port: Number(options.port),
      secureContext: params.identity.current().context,
      // Peers are named by SPIFFE ID, not DNS: the chain is verified against the trust bundle
      // and the identity checked below instead of a host name.
      checkServerIdentity: () => undefined,
      ALPNProtocols: ['http/1.1'],
      ...(session.ticket === undefined ? {} : { session: session.ticket }),
    });
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => socket.destroy(connectTimeout(params.connectTimeoutMs)),
      params.connectTimeoutMs,
    );
    // A ticket is kept only from a connection whose peer identity was checked, so a resumed
    // session (which carries no certificate to check) is as trusted as the one it resumes.
    let verified: string | undefined;
    let pendingTicket: Buffer | undefined;
    socket.on('session', (ticket: Buffer) => {
      if (verified === undefined) {
        pendingTicket = ticket;
        return;
      }
      session.ticket = ticket;
      session.serial = verified;
    });
    // Taken before the handshake: a ticket issued meanwhile must not change whose it was.
    const offeredSerial = session.serial;
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const resumed = socket.isSessionReused();
      const certificate = resumed ? undefined : socket.getPeerX509Certificate();
      // A resumed session is the certificate it was issued to: revoked since, it is refused too.
      const serial = resumed ? offeredSerial : certificate?.serialNumber;
      if (serial !== undefined && params.isRevoked(serial)) {
        if (resumed) {
          session.ticket = undefined;
          session.serial = undefined;
        }
        const error = peerCertificateRevoked(serial);
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
      verified = serial ?? '';
      if (pendingTicket !== undefined) {
        session.ticket = pendingTicket;
        session.serial = verified;
      }
      channels.handshake.publish({ proxy: params.proxy, direction: 'outbound', resumed });
      params.onConnected?.(socket, verified);
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
