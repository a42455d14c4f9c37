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
/** Sampled flag for traces this proxy starts; samplers downstream may still drop them. */
const NEW_TRACE_FLAGS = '01';

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
  readonly spanId: string;
  readonly parentSpanId?: string;
}

/** Continues the caller's trace with a new span for this hop, or starts a trace. */
export function continueTrace(headers: HeaderMap): TraceContext {
  const incoming = headers.traceparent;
  const match = typeof incoming === 'string' ? TRACEPARENT.exec(incoming) : null;
  const spanId = randomHex(8);
  if (match?.[1] !== undefined && match[2] !== undefined && match[3] !== undefined) {
    headers.traceparent = `00-${match[1]}-${spanId}-${match[3]}`;
    return { traceId: match[1], spanId, parentSpanId: match[2] };
  }
  const traceId = randomHex(16);
  headers.traceparent = `00-${traceId}-${spanId}-${NEW_TRACE_FLAGS}`;
  return { traceId, spanId };
}
