// The inbound listener: mTLS from peer proxies, client certificate required and verified, the
// caller's SPIFFE ID read once per connection. In PERMISSIVE mode the same port also takes
// plaintext, told apart by the first byte (a TLS handshake record starts with 0x16).

import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { ProxyConfig } from '../config/proxy-config.ts';
import {
  guardedServerOptions,
  guardHttpServer,
  limitConnections,
  publishRejection,
} from '../http/http-guard.ts';
import { channels, type EdgeEvent } from '../telemetry/channels.ts';
import { spiffeIdOf } from '../tls/identity.ts';
import type { IdentityHolder } from '../tls/identity-holder.ts';
import { replaySocket } from './replay-socket.ts';

const TLS_HANDSHAKE_RECORD = 0x16;

export type InboundRequestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  peer: string | undefined,
) => void;
export type InboundUpgradeHandler = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  peer: string | undefined,
) => void;

export interface InboundListenerParams {
  readonly identity: IdentityHolder;
  readonly limits: ProxyConfig['limits'];
  /** Tags the listener's events (handshakes, refusals, connections). */
  readonly proxy: object;
  readonly mtlsMode: () => 'STRICT' | 'PERMISSIVE';
  readonly handle: InboundRequestHandler;
  readonly handleUpgrade: InboundUpgradeHandler;
  /** Read from the snapshot in force at each full handshake. */
  readonly isRevoked: (serial: string) => boolean;
}

export interface InboundListener {
  readonly server: Server;
  /** Closes connections whose peer certificate is now revoked; returns how many. */
  closeRevoked(): number;
  /** Ends every open connection; the server's own close waits for them otherwise. */
  closeConnections(): void;
}

export function createInboundListener(params: InboundListenerParams): InboundListener {
  const { identity, limits, proxy } = params;
  const edge: EdgeEvent = Object.freeze({ proxy, direction: 'inbound' });
  const peers = new WeakMap<object, string>();
  /** Open authenticated connections and the serial they presented, for revocations to come. */
  const serials = new Map<TLSSocket, string>();
  const serverOptions = guardedServerOptions(limits);
  const onRequest = (req: IncomingMessage, res: ServerResponse) =>
    params.handle(req, res, peers.get(req.socket));

  const material = identity.current().material;
  // TLS and HTTP are two servers, not one https server: an https server hands the connection to
  // its HTTP parser before any 'secureConnection' listener of ours runs, and the parser reads the
  // request that came in the same flight as the handshake's end. A peer refused below would
  // still have had its first request forwarded. Here HTTP only ever sees verified peers.
  const tlsServer = createTlsServer({
    cert: material.certPem,
    key: material.keyPem,
    ca: material.trustBundlePem,
    minVersion: 'TLSv1.2',
    requestCert: true,
    // Verified below instead, so that every refusal is counted with its reason.
    rejectUnauthorized: false,
    // A handshake that does not finish in time is a slow caller holding a socket: the same
    // guard as for a slow head (node's default is 120 s).
    handshakeTimeout: limits.headersTimeoutMs,
    ALPNProtocols: ['http/1.1'],
  });
  const mtlsServer = createHttpServer(serverOptions);
  identity.onReplace((next) => {
    tlsServer.setSecureContext({
      cert: next.material.certPem,
      key: next.material.keyPem,
      ca: next.material.trustBundlePem,
      minVersion: 'TLSv1.2',
      ticketKeys: tlsServer.getTicketKeys(),
    });
  });
  tlsServer.on('secureConnection', (socket: TLSSocket) => {
    const certificate = socket.getPeerX509Certificate();
    // OpenSSL names a missing certificate UNABLE_TO_GET_ISSUER_CERT; the metric says what it is.
    const reason =
      certificate === undefined
        ? 'NO_CLIENT_CERTIFICATE'
        : !socket.authorized
          ? String(socket.authorizationError ?? 'UNAUTHORIZED')
          : params.isRevoked(certificate.serialNumber)
            ? 'CERT_REVOKED'
            : undefined;
    const peer = spiffeIdOf(certificate);
    if (reason !== undefined || peer === undefined) {
      channels.tlsRejected.publish({ proxy, reason: reason ?? 'NO_SPIFFE_ID' });
      socket.destroy();
      return;
    }
    channels.handshake.publish({ proxy, direction: 'inbound', resumed: socket.isSessionReused() });
    peers.set(socket, peer);
    if (certificate !== undefined) {
      serials.set(socket, certificate.serialNumber);
      socket.once('close', () => serials.delete(socket));
    }
    mtlsServer.emit('connection', socket);
  });
  // With a listener here node leaves the socket open: closing it is ours to do.
  tlsServer.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
    channels.tlsRejected.publish({ proxy, reason: error.code ?? 'TLS_ERROR' });
    socket.destroy();
  });

  const plainServer = createHttpServer(serverOptions);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    params.handleUpgrade(req, socket, head, peers.get(req.socket));
  for (const server of [mtlsServer, plainServer]) {
    guardHttpServer(server, { request: onRequest, upgrade: onUpgrade }, edge);
    // These two never listen (the front server hands them its sockets), and node only starts
    // tracking connections, which its headers timeout and closeAllConnections() rely on, on
    // 'listening'. Without this a slow head is never timed out here.
    server.emit('listening');
  }
  // Tracked here because a socket handed to the TLS server may never report its own close to
  // the listening server, which would then wait for it forever on shutdown.
  const sockets = new Set<Socket>();
  const front = createNetServer({ pauseOnConnect: true }, (socket: Socket) => {
    sockets.add(socket);
    channels.connectionOpened.publish(edge);
    socket.once('close', () => {
      sockets.delete(socket);
      channels.connectionClosed.publish(edge);
    });
    socket.setNoDelay(true);
    // Until a server takes it over nothing listens for its errors: a caller resetting the
    // connection before its first byte would be an uncaught exception.
    socket.on('error', () => socket.destroy());
    if (params.mtlsMode() === 'STRICT') {
      tlsServer.emit('connection', socket);
      socket.resume();
      return;
    }
    // Nothing times a socket out before one of the two servers has it: a caller that connects
    // and stays silent would otherwise hold it for ever.
    const silent = setTimeout(() => {
      publishRejection(edge, 'headers-timeout', 'WEFT_FIRST_BYTE_TIMEOUT');
      socket.destroy();
    }, limits.headersTimeoutMs);
    socket.once('close', () => clearTimeout(silent));
    socket.once('data', (first: Buffer) => {
      clearTimeout(silent);
      socket.pause();
      if (first[0] === TLS_HANDSHAKE_RECORD) {
        tlsServer.emit('connection', replaySocket(socket, first));
      } else {
        socket.unshift(first);
        plainServer.emit('connection', socket);
      }
      socket.resume();
    });
    socket.resume();
  });
  limitConnections(front, limits, edge);
  return {
    server: front,
    closeRevoked() {
      let closed = 0;
      for (const [socket, serial] of serials) {
        if (!params.isRevoked(serial)) continue;
        channels.tlsRejected.publish({ proxy, reason: 'CERT_REVOKED' });
        socket.destroy();
        closed += 1;
      }
      return closed;
    },
    closeConnections() {
      for (const server of [mtlsServer, plainServer]) {
        // Stops node's connection checks; these servers hold no listening handle to close.
        server.close();
        server.closeAllConnections();
      }
      for (const socket of sockets) socket.destroy();
    },
  };
}
