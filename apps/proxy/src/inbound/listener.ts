// The inbound listener: mTLS from peer proxies, client certificate required and verified, the
// caller's SPIFFE ID read once per connection. In PERMISSIVE mode the same port also takes
// plaintext, told apart by the first byte (a TLS handshake record starts with 0x16).

import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ProxyConfig } from '../config/proxy-config.ts';
import type { ProxyMetrics } from '../metrics.ts';
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
  readonly metrics: ProxyMetrics;
  readonly mtlsMode: () => 'STRICT' | 'PERMISSIVE';
  readonly handle: InboundRequestHandler;
  readonly handleUpgrade: InboundUpgradeHandler;
  readonly isRevoked: (serial: string) => boolean;
}

export interface InboundListener {
  readonly server: Server;
  /** Ends every open connection; the server's own close waits for them otherwise. */
  closeConnections(): void;
}

export function createInboundListener(params: InboundListenerParams): InboundListener {
  const { identity, limits, metrics } = params;
  const peers = new WeakMap<object, string>();
  const serverOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: 0,
    keepAliveTimeout: limits.idleTimeoutMs,
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) =>
    params.handle(req, res, peers.get(req.socket));

  const material = identity.current().material;
  const tlsServer = createHttpsServer(
    {
      ...serverOptions,
      cert: material.certPem,
      key: material.keyPem,
      ca: material.trustBundlePem,
      minVersion: 'TLSv1.2',
      requestCert: true,
      // Verified below instead, so that every refusal is counted with its reason.
      rejectUnauthorized: false,
    },
    onRequest,
  );
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
    const reason = !socket.authorized
      ? String(socket.authorizationError ?? 'NO_CLIENT_CERTIFICATE')
      : certificate !== undefined && params.isRevoked(certificate.serialNumber)
        ? 'CERT_REVOKED'
        : undefined;
    const peer = spiffeIdOf(certificate);
    if (reason !== undefined || peer === undefined) {
      metrics.rejections.inc({ reason: reason ?? 'NO_SPIFFE_ID' });
      socket.destroy();
      return;
    }
    metrics.handshakes.inc({ direction: 'inbound', resumed: String(socket.isSessionReused()) });
    peers.set(socket, peer);
  });
  tlsServer.on('tlsClientError', (error: Error & { code?: string }) => {
    metrics.rejections.inc({ reason: error.code ?? 'TLS_ERROR' });
  });

  const plainServer = createHttpServer(serverOptions, onRequest);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    params.handleUpgrade(req, socket, head, peers.get(req.socket));
  tlsServer.on('upgrade', onUpgrade);
  plainServer.on('upgrade', onUpgrade);
  // Tracked here because a socket handed to the TLS server may never report its own close to
  // the listening server, which would then wait for it forever on shutdown.
  const sockets = new Set<Socket>();
  const front = createNetServer({ pauseOnConnect: true }, (socket: Socket) => {
    sockets.add(socket);
    metrics.connections.inc({ direction: 'inbound' });
    socket.once('close', () => {
      sockets.delete(socket);
      metrics.connections.dec({ direction: 'inbound' });
    });
    socket.setNoDelay(true);
    if (params.mtlsMode() === 'STRICT') {
      tlsServer.emit('connection', socket);
      socket.resume();
      return;
    }
    socket.once('data', (first: Buffer) => {
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
  return {
    server: front,
    closeConnections() {
      tlsServer.closeAllConnections();
      plainServer.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    },
  };
}
