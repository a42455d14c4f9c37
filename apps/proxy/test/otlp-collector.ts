// A real OTLP/HTTP receiver for tests: takes POST /v1/traces (JSON), keeps every span with its
// resource, answers 200 as a collector does.

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './harness.ts';

type AnyValue = { stringValue?: string; intValue?: string | number };
interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface ReceivedSpan {
  readonly resource: Record<string, string>;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: Record<string, string>;
  readonly status: { code?: number; message?: string };
}

export interface TestCollector {
  readonly url: string;
  readonly spans: ReceivedSpan[];
  readonly requests: { path: string; contentType: string | undefined }[];
  /** Resolves once `count` spans match, or fails after `timeoutMs`. */
  waitFor(
    match: (span: ReceivedSpan) => boolean,
    count: number,
    timeoutMs?: number,
  ): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

const flatten = (attributes: KeyValue[] = []) =>
  Object.fromEntries(
    attributes.map(({ key, value }) => [key, String(value.stringValue ?? value.intValue)]),
  );

export async function startCollector(): Promise<TestCollector> {
  const spans: ReceivedSpan[] = [];
  const requests: TestCollector['requests'] = [];
  const server = createServer(async (req, res) => {
    const body = JSON.parse((await readBody(req)).toString()) as {
      resourceSpans: {
        resource: { attributes: KeyValue[] };
        scopeSpans: {
          spans: (Omit<ReceivedSpan, 'resource' | 'attributes'> & { attributes: KeyValue[] })[];
        }[];
      }[];
    };
    requests.push({ path: req.url ?? '', contentType: req.headers['content-type'] });
    for (const resourceSpans of body.resourceSpans) {
      const resource = flatten(resourceSpans.resource.attributes);
      for (const scope of resourceSpans.scopeSpans)
        for (const span of scope.spans)
          spans.push({ ...span, resource, attributes: flatten(span.attributes) });
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    requests,
    async waitFor(match, count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = spans.filter(match);
        if (found.length >= count) return found;
        if (Date.now() > deadline)
          throw new Error(`${found.length} of ${count} spans arrived: ${JSON.stringify(spans)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
