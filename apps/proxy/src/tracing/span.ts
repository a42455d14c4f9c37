// A finished request as a span: SERVER for inbound (continuing the caller's trace), CLIENT for
// outbound (one per request, retries included). Only sampled requests get here, and each becomes
// one flat record of primitives; attributes are spelled out at export, off the request path.

import { UNAUTHENTICATED_SOURCE } from '@weft/telemetry';
import type { CompletedRequest } from '../telemetry/channels.ts';
import {
  destinationService,
  destinationVersion,
  type LocalWorkload,
  pathOf,
} from '../telemetry/request-events.ts';

/** OTLP's SpanKind values. */
export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;

export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly kind: typeof SPAN_KIND_SERVER | typeof SPAN_KIND_CLIENT;
  /** performance.now() times; turned into Unix nanoseconds when exported. */
  readonly startMs: number;
  readonly endMs: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** x-weft-error when the proxy answered instead of the upstream. */
  readonly reason: string | undefined;
  /** The destination service ("shop/catalog") and version. */
  readonly service: string;
  readonly version: string | undefined;
  readonly route: string | undefined;
  readonly cluster: string | undefined;
  readonly endpoint: string | undefined;
  readonly retries: number | undefined;
  /** Inbound: the caller's SPIFFE ID, or "unauthenticated". */
  readonly peer: string | undefined;
  readonly requestId: string | undefined;
}

/** The span of a completed request, or undefined when it is not sampled (nothing is built). */
export function spanOf(event: CompletedRequest, local: LocalWorkload): SpanRecord | undefined {
  const trace = event.trace;
  if (trace === undefined || !trace.sampled) return undefined;
  const context = event.request?.context;
  const inbound = event.direction === 'inbound';
  return {
    traceId: trace.traceId,
    spanId: trace.spanId,
    parentSpanId: trace.parentSpanId,
    kind: inbound ? SPAN_KIND_SERVER : SPAN_KIND_CLIENT,
    startMs: event.startedAt,
    endMs: event.endedAt,
    method: event.req.method ?? 'GET',
    path: pathOf(event),
    status: event.completion.status,
    reason: event.completion.reason,
    service: destinationService(event, local) ?? '',
    version: destinationVersion(event, local),
    route: context?.route.source,
    cluster: context?.cluster,
    endpoint: context?.endpoint,
    retries: context?.retries,
    peer: inbound ? (event.peer ?? UNAUTHENTICATED_SOURCE) : undefined,
    requestId: event.requestId,
  };
}
