// Every event the proxy's parts publish, declared in one place as undici declares its own: the
// code that does the work says what happened and moves on; metrics, the traffic window, tracing,
// the access log and the proxy's own log subscribe (telemetry/count-events.ts,
// telemetry/request-observers.ts). Nothing is built for a channel nobody listens to.

import type { IncomingMessage } from 'node:http';
import { TaggedChannel } from '@weft/telemetry';
import type { TraceContext } from '../http/headers.ts';
import type { HttpRejectionReason } from '../http/http-guard.ts';
import type { ProxyRequest } from '../stack/dispatch.ts';
import type { Completion } from '../stack/response-sink.ts';
import type { SpanDropReason } from '../tracing/span-exporter.ts';

/**
 * Every event names the proxy that published it, compared by identity: channels are process-wide
 * and several proxies can share a process (tests, the demo).
 */
export interface ProxyEvent {
  readonly proxy: object;
}

export type Direction = 'inbound' | 'outbound';

export interface CompletedRequest extends ProxyEvent {
  readonly direction: Direction;
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

export interface RetryEvent extends ProxyEvent {
  readonly cluster: string;
  /** The condition that caused it: "status" or an x-weft-error reason. */
  readonly reason: string;
}

export interface EjectionEvent extends ProxyEvent {
  readonly cluster: string;
  /** The ejected endpoint's workload id. */
  readonly endpoint: string;
}

export interface OverflowEvent extends ProxyEvent {
  readonly cluster: string;
  readonly limit: 'rate-limit' | 'max requests' | 'max pending';
}

export interface HandshakeEvent extends ProxyEvent {
  readonly direction: Direction;
  readonly resumed: boolean;
}

export interface TlsRejectionEvent extends ProxyEvent {
  /** OpenSSL's code, or NO_CLIENT_CERTIFICATE, NO_SPIFFE_ID, CERT_REVOKED. */
  readonly reason: string;
}

/** Where a connection-level event happened; one frozen object per listener, made at start. */
export interface EdgeEvent extends ProxyEvent {
  readonly direction: Direction;
}

export interface HttpRejectionEvent extends EdgeEvent {
  readonly reason: HttpRejectionReason;
  /** node's parser code (HPE_*) or one of http-guard's WEFT_* codes. */
  readonly code: string;
}

export interface SnapshotAppliedEvent extends ProxyEvent {
  readonly version: string;
  readonly hash: string;
  readonly previousVersion: string | undefined;
  /** Connections closed because their peer's certificate is now revoked, both ways. */
  readonly closedRevoked: number;
}

export interface SpansEvent extends ProxyEvent {
  readonly spans: number;
}

export interface SpansDroppedEvent extends SpansEvent {
  readonly reason: SpanDropReason;
}

export interface SpanExportHealthEvent extends ProxyEvent {
  /** false when exports start failing (with the error), true when they work again. */
  readonly healthy: boolean;
  readonly error?: unknown;
}

export interface AccessLogFailedEvent extends ProxyEvent {
  readonly error: unknown;
}

/** A channel of one kind of proxy event, each tagged with the proxy that published it. */
export class EventChannel<T extends ProxyEvent> extends TaggedChannel<T> {
  constructor(name: string) {
    super(name, (event) => event.proxy);
  }
}

export const channels = {
  /** A request's answer is complete, or it failed (the handlers of both directions). */
  requestCompleted: new EventChannel<CompletedRequest>('weft:proxy:request-completed'),
  /** A retry is sent (stack/retry.ts). */
  retry: new EventChannel<RetryEvent>('weft:proxy:retry'),
  /** Outlier detection ejected an endpoint (stack/balance.ts). */
  ejection: new EventChannel<EjectionEvent>('weft:proxy:endpoint-ejected'),
  /** A request failed fast at the rate limit or the circuit breaker. */
  overflow: new EventChannel<OverflowEvent>('weft:proxy:overflow'),
  /** A TLS handshake with a peer proxy completed, full or resumed. */
  handshake: new EventChannel<HandshakeEvent>('weft:proxy:tls-handshake'),
  /** An inbound connection was refused for its certificate (or its lack of one). */
  tlsRejected: new EventChannel<TlsRejectionEvent>('weft:proxy:tls-rejected'),
  /** An inbound connection opened or closed (the active connections gauge). */
  connectionOpened: new EventChannel<EdgeEvent>('weft:proxy:connection-opened'),
  connectionClosed: new EventChannel<EdgeEvent>('weft:proxy:connection-closed'),
  /** A listener's HTTP edge refused a request (http/http-guard.ts). */
  httpRejected: new EventChannel<HttpRejectionEvent>('weft:proxy:http-rejected'),
  /** A keep-alive connection was closed after sitting idle. */
  idleClosed: new EventChannel<EdgeEvent>('weft:proxy:idle-closed'),
  /** A connection was closed on arrival: its listener had limits.maxConnections open. */
  connectionDropped: new EventChannel<EdgeEvent>('weft:proxy:connection-dropped'),
  /** Spans the OTLP collector accepted (tracing/span-exporter.ts). */
  spansExported: new EventChannel<SpansEvent>('weft:proxy:spans-exported'),
  /** Spans lost: queue full, export failed, rejected by the collector, or left at shutdown. */
  spansDropped: new EventChannel<SpansDroppedEvent>('weft:proxy:spans-dropped'),
  /** Span export started failing, or works again. */
  spanExportHealth: new EventChannel<SpanExportHealthEvent>('weft:proxy:span-export-health'),
  /** An access log line was dropped: the destination could not keep up (access-log.ts). */
  accessLogDropped: new EventChannel<ProxyEvent>('weft:proxy:access-log-dropped'),
  /** The access log destination failed (a full disk, say). */
  accessLogFailed: new EventChannel<AccessLogFailedEvent>('weft:proxy:access-log-failed'),
  /** A snapshot went into force and the proxy finished reacting to it (runtime/swap-reaction.ts). */
  snapshotApplied: new EventChannel<SnapshotAppliedEvent>('weft:proxy:snapshot-applied'),
} as const;
