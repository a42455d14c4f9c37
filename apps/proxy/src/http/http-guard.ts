// The HTTP edge of every listener, outbound and inbound: node's parser refuses malformed and
// ambiguous messages, this makes each refusal explicit (the right status, the connection
// closed, counted by reason), refuses what the parser lets through but a proxy must not
// forward, closes connections whose head is too slow or that sit idle, and closes connections
// beyond the listener's limit as they arrive. Each of these is published on its channel
// (telemetry/channels.ts), tagged with the listener's edge.

import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { channels, type EdgeEvent } from '../telemetry/channels.ts';
import { parseRequestTarget } from './request-target.ts';

/** Bounded label values of weft_http_rejections_total. */
export type HttpRejectionReason =
  | 'malformed'
  | 'smuggling'
  | 'headers-too-large'
  | 'headers-timeout';

export interface GuardLimits {
  readonly maxHeaderBytes: number;
  readonly headersTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxConnections: number;
}

export interface GuardedHandlers {
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * Node looks for overdue heads on a timer, every 30 s by default: a 10 s headers timeout could
 * then let a slow head live 40 s. Checked this often instead (a walk over the connections that
 * are mid-head, nothing more), or a quarter of the timeout when that is shorter.
 */
export const MAX_HEADERS_CHECK_INTERVAL_MS = 1_000;
const MIN_HEADERS_CHECK_INTERVAL_MS = 10;

/** Parser codes of ambiguous framing, the stuff of request smuggling. */
const SMUGGLING_CODES = new Set([
  'HPE_UNEXPECTED_CONTENT_LENGTH',
  'HPE_INVALID_CONTENT_LENGTH',
  'HPE_INVALID_TRANSFER_ENCODING',
]);

export function guardedServerOptions(limits: GuardLimits): ServerOptions {
  return {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    // No deadline for a whole request: bodies stream as long as they flow (routes have timeouts).
    requestTimeout: 0,
    keepAliveTimeout: limits.idleTimeoutMs,
    connectionsCheckingInterval: Math.max(
      MIN_HEADERS_CHECK_INTERVAL_MS,
      Math.min(MAX_HEADERS_CHECK_INTERVAL_MS, Math.floor(limits.headersTimeoutMs / 4)),
    ),
    // Refuse, never repair: a lenient parser is how a smuggled request gets through.
    insecureHTTPParser: false,
    // Checked below instead: node would answer 400 itself, with nothing to count.
    requireHostHeader: false,
  };
}

/**
 * Caps the connections open on the listening server: node closes each one over the cap as it
 * arrives (before a byte is read or a handshake begun) and reports it.
 */
export function limitConnections(server: NetServer, limits: GuardLimits, edge: EdgeEvent): void {
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => channels.connectionDropped.publish(edge));
}

/** A request refused at the edge; `code` is node's parser code (HPE_*) or a WEFT_* code. */
export function publishRejection(edge: EdgeEvent, reason: HttpRejectionReason, code: string): void {
  channels.httpRejected.publish({ proxy: edge.proxy, direction: edge.direction, reason, code });
}

/** Answers a server's requests and upgrades through the guard, and owns its refusals. */
export function guardHttpServer(server: Server, handlers: GuardedHandlers, edge: EdgeEvent): void {
  // Connections answered with a refusal. Node goes on parsing what was pipelined behind the
  // refused request (a smuggled request, typically) and hands it over as one more request, or
  // reports the bytes as one more parse error: neither is forwarded nor counted again. The
  // connection closes once the refusal is written.
  const refused = new WeakSet<object>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (refused.has(req.socket)) return;
    const refusal = checkRequest(req);
    if (refusal === undefined) {
      handlers.request(req, res);
      return;
    }
    refused.add(req.socket);
    publishRejection(edge, refusal.reason, refusal.code);
    const body = `${refusal.message}\n`;
    // Connection: close, and the body is never read: after an ambiguous head it could be anything.
    res.writeHead(400, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-weft-error': 'bad-request',
      connection: 'close',
    });
    res.end(body);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node takes its own error listener off a socket it hands over for an Upgrade: without one,
    // a caller resetting the connection mid-answer is an uncaught exception, the process gone.
    // The 'close' that follows the error is what the handlers act on.
    socket.on('error', ignore);
    const refusal = checkRequest(req);
    if (refusal === undefined) {
      handlers.upgrade(req, socket, head);
      return;
    }
    publishRejection(edge, refusal.reason, refusal.code);
    refuseOnSocket(socket, 400);
  });
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (refused.has(socket)) return;
    const code = error.code ?? '';
    // Anything but a parser refusal or an overdue head is the caller going away mid-way (a
    // connection ended inside a message is that too: a peer abandoning an upload, say).
    if (
      (!code.startsWith('HPE_') && code !== 'ERR_HTTP_REQUEST_TIMEOUT') ||
      code === 'HPE_INVALID_EOF_STATE'
    ) {
      socket.destroy();
      return;
    }
    refused.add(socket);
    const { reason, status } = classify(code);
    publishRejection(edge, reason, code);
    // Mid-body (bad chunk framing while the answer streams back) a status line would land inside
    // the response: close instead. Node keeps the response in flight on the socket.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })
      ._httpMessage;
    if (inFlight?.headersSent === true) socket.destroy();
    else refuseOnSocket(socket, status);
  });
  // Only keep-alive waits arm the socket timer (server.timeout stays 0), so this is idleness.
  server.on('timeout', (socket: Duplex) => {
    channels.idleClosed.publish(edge);
    socket.destroy();
  });
}

function ignore(): void {}

function classify(code: string): { reason: HttpRejectionReason; status: number } {
  if (code === 'HPE_HEADER_OVERFLOW') return { reason: 'headers-too-large', status: 431 };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { reason: 'headers-timeout', status: 408 };
  if (SMUGGLING_CODES.has(code)) return { reason: 'smuggling', status: 400 };
  // Node answers an oversized chunk extension with 413; so does the guard.
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return { reason: 'malformed', status: 413 };
  return { reason: 'malformed', status: 400 };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
};

/** Written straight to the socket, as node itself does: there is no usable request to answer. */
function refuseOnSocket(socket: Duplex, status: number): void {
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\n` +
        `x-weft-error: ${status === 408 ? 'headers-timeout' : 'bad-request'}\r\n` +
        'content-length: 0\r\nconnection: close\r\n\r\n',
    );
  }
  socket.destroy();
}

interface Refusal {
  readonly reason: HttpRejectionReason;
  readonly code: string;
  readonly message: string;
}

/** What node's parser accepts but a proxy must not pass on; undefined when the request may go. */
function checkRequest(req: IncomingMessage): Refusal | undefined {
  const transferEncoding = req.headers['transfer-encoding'];
  if (transferEncoding !== undefined) {
    // RFC 9112 §6.1: framing is faulty in an HTTP/1.0 message that carries Transfer-Encoding.
    if (req.httpVersion === '1.0') {
      return {
        reason: 'smuggling',
        code: 'WEFT_HTTP10_TRANSFER_ENCODING',
        message: 'Transfer-Encoding is not allowed in HTTP/1.0',
      };
    }
    // Only chunked, once (node joins repeated headers with ", "). "identity, chunked" and the
    // like are how one hop is made to frame a body differently from the next; and a coding such
    // as gzip would be silently dropped when the body is re-framed upstream.
    if (transferEncoding.trim().toLowerCase() !== 'chunked') {
      return {
        reason: 'smuggling',
        code: 'WEFT_TRANSFER_ENCODING',
        message: 'Transfer-Encoding must be exactly "chunked"',
      };
    }
  }
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1 (node keeps the first of several; a hop before
  // this one may have used another).
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === 'host') hosts += 1;
  }
  if (hosts > 1 || (hosts === 0 && req.httpVersion === '1.1')) {
    return {
      reason: 'malformed',
      code: hosts > 1 ? 'WEFT_DUPLICATE_HOST' : 'WEFT_MISSING_HOST',
      message: 'an HTTP/1.1 request must carry exactly one Host',
    };
  }
  if (parseRequestTarget(req.url ?? '') === undefined) {
    return {
      reason: 'malformed',
      code: 'WEFT_REQUEST_TARGET',
      message: 'the request target must be a path or an http(s) URL',
    };
  }
  return undefined;
}
