// The OTLP/JSON shape a collector expects, and nanosecond timestamps written without BigInt.

import { describe, expect, it } from 'vitest';
import { encodeTraces, unixNanos } from './otlp-json.ts';
import { SPAN_KIND_SERVER } from './span.ts';

describe('OTLP/JSON encoding', () => {
  it('writes resourceSpans -> scopeSpans -> spans with hex ids, integer kind and typed attributes', () => {
    const start = performance.now();
    const body = JSON.parse(
      encodeTraces(
        {
          serviceName: 'server',
          serviceNamespace: 'shop',
          serviceInstanceId: 'server-v1',
          serviceVersion: 'v1',
        },
        [
          {
            traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
            spanId: '00f067aa0ba902b7',
            parentSpanId: 'b7ad6b7169203331',
            kind: SPAN_KIND_SERVER,
            startMs: start,
            endMs: start + 2.5,
            method: 'GET',
            path: '/items',
            status: 503,
            reason: undefined,
            service: 'shop/server',
            version: 'v1',
            route: undefined,
            cluster: undefined,
            endpoint: undefined,
            retries: undefined,
            peer: 'spiffe://weft.local/ns/shop/sa/client',
            requestId: 'r-1',
          },
        ],
      ),
    );
    const resource = body.resourceSpans[0].resource.attributes;
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'server' } });
    expect(resource).toContainEqual({ key: 'service.version', value: { stringValue: 'v1' } });
    const span = body.resourceSpans[0].scopeSpans[0].spans[0];
    expect(span).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: 'b7ad6b7169203331',
      name: 'GET shop/server',
      kind: 2,
      status: { code: 2, message: 'HTTP 503' },
    });
    expect(span.attributes).toContainEqual({
      key: 'http.response.status_code',
      value: { intValue: '503' },
    });
    expect(span.attributes).toContainEqual({
      key: 'weft.peer.identity',
      value: { stringValue: 'spiffe://weft.local/ns/shop/sa/client' },
    });
    const duration = BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano);
    expect(Number(duration)).toBeCloseTo(2_500_000, -3);
    expect(Math.abs(Number(BigInt(span.startTimeUnixNano) / 1_000_000n) - Date.now())).toBeLessThan(
      1_000,
    );
  });

  it('writes Unix nanoseconds as decimal strings, carrying a rounded-up fraction', () => {
    expect(unixNanos(1_700_000_000_123 + 0.456_7)).toMatch(/^1700000000123456\d{3}$/);
    expect(unixNanos(1_700_000_000_000)).toBe('1700000000000000000');
    expect(unixNanos(1_700_000_000_000 + 0.999_999_9)).toBe('1700000000001000000');
  });
});
