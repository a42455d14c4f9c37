// Spans in the OTLP/JSON encoding (the protobuf JSON mapping with the OTLP exceptions: trace and
// span ids as hex, enums as integers), one ExportTraceServiceRequest per batch.
// Written by hand rather than with the OpenTelemetry SDK: the SDK's tracer, context manager and
// exporter add memory and per-request CPU to every proxy, while this covers the one shape the
// proxy sends, in one pass over a batch, off the request path.

import { SPAN_KIND_CLIENT, type SpanRecord } from './span.ts';

const SCOPE = { name: '@weft/proxy', version: '0.1.0' };
/** OTLP's Status.code values. */
const STATUS_ERROR = 2;
/** When performance.now() and the wall clock drift further apart than this, re-anchor. */
const CLOCK_DRIFT_TOLERANCE_MS = 20;

export type AttributeValue = { stringValue: string } | { intValue: string };
export interface KeyValue {
  readonly key: string;
  readonly value: AttributeValue;
}

export interface Resource {
  readonly serviceName: string;
  readonly serviceNamespace: string;
  readonly serviceInstanceId: string;
  readonly serviceVersion: string | undefined;
}

export function encodeTraces(resource: Resource, spans: readonly SpanRecord[]): string {
  const toUnixMs = wallClock();
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: resourceAttributes(resource) },
        scopeSpans: [{ scope: SCOPE, spans: spans.map((span) => encodeSpan(span, toUnixMs)) }],
      },
    ],
  });
}

function encodeSpan(span: SpanRecord, toUnixMs: (ms: number) => number) {
  const attributes: KeyValue[] = [
    str('http.request.method', span.method),
    str('url.path', span.path),
    int('http.response.status_code', span.status),
    str('weft.service', span.service),
  ];
  if (span.version !== undefined) attributes.push(str('weft.version', span.version));
  if (span.route !== undefined) attributes.push(str('weft.route', span.route));
  if (span.cluster !== undefined) attributes.push(str('weft.cluster', span.cluster));
  if (span.endpoint !== undefined) attributes.push(str('weft.endpoint', span.endpoint));
  if (span.retries !== undefined) {
    attributes.push(int('weft.retries', span.retries), int('weft.attempts', span.retries + 1));
  }
  if (span.peer !== undefined) attributes.push(str('weft.peer.identity', span.peer));
  if (span.reason !== undefined) attributes.push(str('weft.error', span.reason));
  if (span.requestId !== undefined) attributes.push(str('weft.request_id', span.requestId));
  // HTTP semantic conventions: a CLIENT span fails on 4xx and 5xx, a SERVER span on 5xx only.
  const failed =
    span.reason !== undefined || span.status >= (span.kind === SPAN_KIND_CLIENT ? 400 : 500);
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
    name: `${span.method} ${span.service}`,
    kind: span.kind,
    startTimeUnixNano: unixNanos(toUnixMs(span.startMs)),
    endTimeUnixNano: unixNanos(toUnixMs(span.endMs)),
    attributes,
    status: failed ? { code: STATUS_ERROR, message: span.reason ?? `HTTP ${span.status}` } : {},
  };
}

function resourceAttributes(resource: Resource): KeyValue[] {
  const attributes = [
    str('service.name', resource.serviceName),
    str('service.namespace', resource.serviceNamespace),
    str('service.instance.id', resource.serviceInstanceId),
    str('telemetry.sdk.name', SCOPE.name),
    str('telemetry.sdk.language', 'nodejs'),
  ];
  if (resource.serviceVersion !== undefined)
    attributes.push(str('service.version', resource.serviceVersion));
  return attributes;
}

const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });
// int64 is a decimal string in the protobuf JSON mapping.
const int = (key: string, value: number): KeyValue => ({
  key,
  value: { intValue: String(value) },
});

let anchorMs = performance.timeOrigin;

/**
 * Maps performance.now() times to Unix milliseconds with sub-millisecond precision, anchored at
 * the process's time origin; the monotonic clock and the wall clock part over days (NTP, a
 * suspended VM), so the anchor moves when they disagree by more than a few milliseconds.
 */
function wallClock(): (ms: number) => number {
  const drift = Date.now() - (anchorMs + performance.now());
  if (Math.abs(drift) > CLOCK_DRIFT_TOLERANCE_MS) anchorMs += drift;
  const anchor = anchorMs;
  return (ms) => anchor + ms;
}

/** Unix milliseconds (fractional) as a decimal string of nanoseconds, without BigInt. */
export function unixNanos(unixMs: number): string {
  let whole = Math.floor(unixMs);
  let nanos = Math.round((unixMs - whole) * 1e6);
  if (nanos >= 1e6) {
    whole += 1;
    nanos -= 1e6;
  }
  return `${whole}${String(nanos).padStart(6, '0')}`;
}
