// The exporter against a real HTTP collector on loopback: batches, partial success, and a
// collector that never answers (bounded queue, deadline, every lost span counted).

import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../telemetry/channels.ts';
import { SPAN_KIND_CLIENT, type SpanRecord } from './span.ts';
import { createSpanExporter, tracesUrl } from './span-exporter.ts';

const RESOURCE = {
  serviceName: 'client',
  serviceNamespace: 'shop',
  serviceInstanceId: 'client-1',
  serviceVersion: undefined,
};

function span(index: number): SpanRecord {
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: index.toString(16).padStart(16, '0'),
    parentSpanId: undefined,
    kind: SPAN_KIND_CLIENT,
    startMs: performance.now(),
    endMs: performance.now() + 1,
    method: 'GET',
    path: '/',
    status: 200,
    reason: undefined,
    service: 'shop/server',
    version: 'v1',
    route: 'HTTPRoute/shop/server rules[0]',
    cluster: 'server.shop.v1',
    endpoint: 'server-v1',
    retries: 0,
    peer: undefined,
    requestId: `r-${index}`,
  };
}

interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly spans: number;
}

async function collector(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as {
      resourceSpans: { scopeSpans: { spans: unknown[] }[] }[];
    };
    received.push({
      path: req.url ?? '',
      contentType: req.headers['content-type'],
      spans: body.resourceSpans[0]?.scopeSpans[0]?.spans.length ?? 0,
    });
    answer(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** One exporter's events, counted: `proxy` is the tag to give the exporter. */
function counters() {
  const proxy = {};
  const dropped: Record<string, number> = {};
  const health: boolean[] = [];
  let exported = 0;
  const fail = (error: unknown) => {
    throw error;
  };
  const stops = [
    channels.spansExported.subscribe(proxy, ({ spans }) => (exported += spans), fail),
    channels.spansDropped.subscribe(
      proxy,
      ({ spans, reason }) => {
        dropped[reason] = (dropped[reason] ?? 0) + spans;
      },
      fail,
    ),
    channels.spanExportHealth.subscribe(proxy, ({ healthy }) => health.push(healthy), fail),
  ];
  return {
    proxy,
    dropped,
    health,
    exported: () => exported,
    stop: () => {
      for (const stop of stops) stop();
    },
  };
}

describe('span exporter', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const step of cleanup.splice(0)) step();
  });

  it('sends OTLP/JSON batches of at most maxBatchSpans to <endpoint>/v1/traces', async () => {
    const sink = await collector((_req, res) => res.writeHead(200).end('{}'));
    cleanup.push(sink.close);
    const count = counters();
    cleanup.push(count.stop);
    const exporter = createSpanExporter({
      endpoint: sink.url,
      resource: RESOURCE,
      maxBatchSpans: 3,
      flushIntervalMs: 60_000,
      maxQueueSpans: 100,
      exportTimeoutMs: 5_000,
      proxy: count.proxy,
    });
    for (let i = 0; i < 7; i++) exporter.add(span(i));
    await exporter.flush();
    await exporter.shutdown();
    expect(sink.received.map((r) => r.spans).reduce((a, b) => a + b, 0)).toBe(7);
    expect(Math.max(...sink.received.map((r) => r.spans))).toBeLessThanOrEqual(3);
    expect(sink.received.every((r) => r.path === '/v1/traces')).toBe(true);
    expect(sink.received.every((r) => r.contentType === 'application/json')).toBe(true);
    expect(count.exported()).toBe(7);
    expect(count.dropped).toEqual({});
  });

  it('counts spans the collector rejects in a partial success', async () => {
    const sink = await collector((_req, res) =>
      res.writeHead(200).end('{"partialSuccess":{"rejectedSpans":"1","errorMessage":"bad"}}'),
    );
    cleanup.push(sink.close);
    const count = counters();
    cleanup.push(count.stop);
    const exporter = createSpanExporter({
      endpoint: sink.url,
      resource: RESOURCE,
      maxBatchSpans: 10,
      flushIntervalMs: 60_000,
      maxQueueSpans: 10,
      exportTimeoutMs: 5_000,
      proxy: count.proxy,
    });
    for (let i = 0; i < 4; i++) exporter.add(span(i));
    await exporter.shutdown();
    expect(count.exported()).toBe(3);
    expect(count.dropped).toEqual({ rejected: 1 });
  });

  it('never blocks on a collector that does not answer: the queue is bounded and losses counted', async () => {
    const sink = await collector(() => {
      // Holds every export open: a collector that has stopped answering.
    });
    cleanup.push(sink.close);
    const count = counters();
    cleanup.push(count.stop);
    const health = count.health;
    const exporter = createSpanExporter({
      endpoint: sink.url,
      resource: RESOURCE,
      maxBatchSpans: 5,
      flushIntervalMs: 60_000,
      maxQueueSpans: 5,
      exportTimeoutMs: 300,
      proxy: count.proxy,
    });
    for (let i = 0; i < 5; i++) exporter.add(span(i));
    // The full batch goes out on the next turn of the event loop, and hangs.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    for (let i = 5; i < 12; i++) exporter.add(span(i));
    expect(performance.now() - started).toBeLessThan(50);
    expect(count.dropped['queue-full']).toBe(2);
    await exporter.shutdown();
    expect(count.exported()).toBe(0);
    expect(count.dropped).toEqual({ 'queue-full': 2, 'export-failed': 10 });
    expect(health).toEqual([false]);
  });

  it('appends /v1/traces to a base endpoint, keeping a path that already ends with it', () => {
    expect(tracesUrl('http://collector:4318').href).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('https://otel.example/otlp/').href).toBe(
      'https://otel.example/otlp/v1/traces',
    );
    expect(tracesUrl('http://c:4318/v1/traces').href).toBe('http://c:4318/v1/traces');
  });
});
