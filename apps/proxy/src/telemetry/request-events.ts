// Request completion, published on a diagnostics channel (as undici publishes its own events):
// the handlers say what happened and move on; metrics, traffic telemetry, tracing and the access
// log subscribe, and each one decides what it costs. Nothing is built when nobody listens.

import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { TraceContext } from '../http/headers.ts';
import type { ProxyRequest } from '../stack/dispatch.ts';
import type { Completion } from '../stack/response-sink.ts';

export const REQUEST_COMPLETED_CHANNEL = 'weft:proxy:request-completed';

export const requestCompleted = channel(REQUEST_COMPLETED_CHANNEL);

export interface CompletedRequest {
  /**
   * The proxy that handled it, compared by identity: channels are process-wide and several
   * proxies can share a process (tests, the demo).
   */
  readonly proxy: object;
  readonly direction: 'inbound' | 'outbound';
  /** The caller's request as received (method, target, content-length). */
  readonly req: IncomingMessage;
  readonly requestId: string | undefined;
  /** This hop's span; undefined when the request was refused before its headers were read. */
  readonly trace: TraceContext | undefined;
  /** Inbound: the caller's SPIFFE ID; undefined for plaintext in PERMISSIVE mode. */
  readonly peer: string | undefined;
  /** Outbound: the request as routed (route, cluster, endpoint, retries); undefined if unrouted. */
  readonly request: ProxyRequest | undefined;
  readonly completion: Completion;
  readonly upgrade: boolean;
  /** performance.now() when the request arrived and when its answer was complete. */
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * Subscribes to one proxy's completions; returns the unsubscribe. A subscriber that throws would
 * otherwise become an uncaught exception (that is how diagnostics_channel reports it).
 */
export function subscribeRequests(
  proxy: object,
  listener: (event: CompletedRequest) => void,
  onError: (error: unknown) => void,
): () => void {
  const onMessage = (message: unknown) => {
    const event = message as CompletedRequest;
    if (event.proxy !== proxy) return;
    try {
      listener(event);
    } catch (error) {
      onError(error);
    }
  };
  subscribe(REQUEST_COMPLETED_CHANNEL, onMessage);
  return () => {
    unsubscribe(REQUEST_COMPLETED_CHANNEL, onMessage);
  };
}

/** What subscribers know of this proxy, to name the destination of a request. */
export interface LocalWorkload {
  /** "shop/catalog": the destination of inbound requests. */
  readonly service: string;
  readonly version: string | undefined;
  /** An outbound cluster's version label ("" or undefined for a whole-service cluster). */
  readonly versionOf: (cluster: string) => string | undefined;
}

/** The destination service: this proxy's for inbound, the upstream for outbound (if routed). */
export function destinationService(
  event: CompletedRequest,
  local: LocalWorkload,
): string | undefined {
  return event.direction === 'inbound' ? local.service : event.request?.context.upstream;
}

export function destinationVersion(
  event: CompletedRequest,
  local: LocalWorkload,
): string | undefined {
  if (event.direction === 'inbound') return local.version;
  const cluster = event.request?.context.cluster;
  return (cluster === undefined ? undefined : local.versionOf(cluster)) || undefined;
}

/** The source identity of a request that came in without mTLS (PERMISSIVE mode). */
export const UNAUTHENTICATED = 'unauthenticated';

/** The request path without its query string (which may hold secrets), as the upstream saw it. */
export function pathOf(event: CompletedRequest): string {
  const target = event.request?.path ?? event.req.url ?? '/';
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (path.startsWith('/')) return path;
  // Absolute-form from an HTTP_PROXY-style client that was refused before routing.
  return URL.canParse(path) ? new URL(path).pathname : path;
}

/** The bytes of the request body, when known without counting a stream. */
export function requestBytes(event: CompletedRequest): number | undefined {
  const body = event.request?.body;
  if (Buffer.isBuffer(body)) return body.length;
  const length = event.req.headers['content-length'];
  if (length !== undefined) return Number(length);
  return event.req.headers['transfer-encoding'] === undefined ? 0 : undefined;
}
