// Header hygiene at each hop: hop-by-hop headers removed, a request id, W3C trace context.

import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { randomHex } from './random-ids.ts';

export type HeaderMap = Record<string, string | string[]>;

/** RFC 9110 §7.6.1 and the de-facto ones (keep-alive, proxy-connection). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  // Node's server has already answered 100 Continue to the caller, and undici refuses to send it.
  'expect',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
/** W3C trace context: all-zero ids are invalid, and a header carrying one starts a new trace. */
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/** Copies the end-to-end headers, dropping hop-by-hop ones and any named in Connection. */
export function endToEndHeaders(headers: IncomingHttpHeaders): HeaderMap {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
  const out: HeaderMap = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export function ensureRequestId(headers: HeaderMap): string {
  const existing = headers['x-request-id'];
  if (typeof existing === 'string' && existing !== '') return existing;
  const id = randomUUID();
  headers['x-request-id'] = id;
  return id;
}

export interface TraceContext {
  readonly traceId: string;
  /** This hop's span: the parent of the next hop. */
  readonly spanId: string;
  readonly parentSpanId?: string;
  /** The W3C sampled flag carried on: the caller's, or this proxy's decision for a new trace. */
  readonly sampled: boolean;
}

/** Decides whether a trace this proxy starts is sampled, from its (random) trace id. */
export type NewTraceSampler = (traceId: string) => boolean;

/** The proxy records nothing itself: it marks new traces sampled and leaves the choice downstream. */
export const SAMPLE_ALL: NewTraceSampler = () => true;

/**
 * Continues the caller's trace with a new span for this hop, keeping its sampled flag (and the
 * other flags), or starts a trace sampled as `sampleNew` decides.
 */
export function continueTrace(
  headers: HeaderMap,
  sampleNew: NewTraceSampler = SAMPLE_ALL,
): TraceContext {
  const incoming = headers.traceparent;
  const match = typeof incoming === 'string' ? TRACEPARENT.exec(incoming) : null;
  const spanId = randomHex(8);
  const traceId = match?.[1];
  const parentSpanId = match?.[2];
  const flags = match?.[3];
  if (
    traceId !== undefined &&
    parentSpanId !== undefined &&
    flags !== undefined &&
    traceId !== INVALID_TRACE_ID &&
    parentSpanId !== INVALID_SPAN_ID
  ) {
    headers.traceparent = `00-${traceId}-${spanId}-${flags}`;
    // Bit 0 of the flags is "sampled"; the last hex digit holds it.
    const sampled = (Number.parseInt(flags[1] ?? '0', 16) & 1) === 1;
    return { traceId, spanId, parentSpanId, sampled };
  }
  const newTraceId = randomHex(16);
  const sampled = sampleNew(newTraceId);
  headers.traceparent = `00-${newTraceId}-${spanId}-${sampled ? '01' : '00'}`;
  return { traceId: newTraceId, spanId, sampled };
}
