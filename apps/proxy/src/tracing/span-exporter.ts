// Sends spans to an OTLP/HTTP collector in the background: a bounded queue, batches sent when
// full or on a timer, one export in flight, each with a deadline. A slow or absent collector
// costs spans (dropped and counted), never a request: add() only ever pushes to an array. What
// happens to spans is published on the proxy's channels (telemetry/channels.ts).

import { Pool } from 'undici';
import { channels } from '../telemetry/channels.ts';
import { encodeTraces, type Resource } from './otlp-json.ts';
import type { SpanRecord } from './span.ts';

const TRACES_PATH = '/v1/traces';
/** How much of a collector's error answer goes into the log. */
const ERROR_BODY_CHARS = 200;

export type SpanDropReason = 'queue-full' | 'export-failed' | 'rejected' | 'shutdown';

export interface SpanExporterParams {
  /** The collector's base URL (`/v1/traces` is appended unless already there). */
  readonly endpoint: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly resource: Resource;
  readonly maxBatchSpans: number;
  readonly flushIntervalMs: number;
  readonly maxQueueSpans: number;
  readonly exportTimeoutMs: number;
  /** Tags the exporter's events: spans exported and dropped, export health. */
  readonly proxy: object;
}

export interface SpanExporter {
  add(span: SpanRecord): void;
  /** Sends what is queued now, one batch after another; resolves when done. */
  flush(): Promise<void>;
  /** Flushes within the export timeout, drops (and counts) what is left, closes the connection. */
  shutdown(): Promise<void>;
}

export function createSpanExporter(params: SpanExporterParams): SpanExporter {
  const { maxBatchSpans, maxQueueSpans, exportTimeoutMs } = params;
  if (maxBatchSpans < 1 || maxBatchSpans > maxQueueSpans) {
    throw new RangeError(`maxBatchSpans must be in [1, maxQueueSpans], got ${maxBatchSpans}`);
  }
  const url = tracesUrl(params.endpoint);
  const pool = new Pool(url.origin, {
    connections: 1,
    connectTimeout: exportTimeoutMs,
    headersTimeout: exportTimeoutMs,
    bodyTimeout: exportTimeoutMs,
  });
  const headers = { ...params.headers, 'content-type': 'application/json' };
  let queue: SpanRecord[] = [];
  let inFlight: Promise<void> | undefined;
  let batchScheduled = false;
  let closing = false;
  let healthy = true;

  const { proxy } = params;
  const dropped = (spans: number, reason: SpanDropReason) =>
    channels.spansDropped.publish({ proxy, spans, reason });
  const setHealth = (next: boolean, error?: unknown) => {
    if (next === healthy) return;
    healthy = next;
    channels.spanExportHealth.publish({ proxy, healthy: next, error });
  };

  const send = async (batch: SpanRecord[]): Promise<void> => {
    try {
      const response = await pool.request({
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        body: encodeTraces(params.resource, batch),
        signal: AbortSignal.timeout(exportTimeoutMs),
      });
      const text = await response.body.text();
      if (response.statusCode < 200 || response.statusCode > 299) {
        throw new Error(
          `the collector answered ${response.statusCode}: ${text.slice(0, ERROR_BODY_CHARS)}`,
        );
      }
      const rejected = Math.min(rejectedSpans(text), batch.length);
      if (rejected > 0) dropped(rejected, 'rejected');
      channels.spansExported.publish({ proxy, spans: batch.length - rejected });
      setHealth(true);
    } catch (error) {
      dropped(batch.length, 'export-failed');
      setHealth(false, error);
    }
  };

  const flushOne = (): Promise<void> => {
    if (inFlight !== undefined) return inFlight;
    if (queue.length === 0) return Promise.resolve();
    const batch = queue.length <= maxBatchSpans ? queue : queue.slice(0, maxBatchSpans);
    queue = queue.length <= maxBatchSpans ? [] : queue.slice(maxBatchSpans);
    inFlight = send(batch).finally(() => {
      inFlight = undefined;
      // A backlog goes out batch after batch; a partial batch waits for the timer.
      if (!closing && queue.length >= maxBatchSpans) void flushOne();
    });
    return inFlight;
  };

  const flush = async (): Promise<void> => {
    while (inFlight !== undefined || queue.length > 0) await flushOne();
  };

  const timer = setInterval(() => void flushOne(), params.flushIntervalMs);
  timer.unref();

  return {
    add(span) {
      if (closing || queue.length >= maxQueueSpans) {
        dropped(1, closing ? 'shutdown' : 'queue-full');
        return;
      }
      queue.push(span);
      // Sent from the event loop, never from inside the request that filled the batch.
      if (queue.length >= maxBatchSpans && !batchScheduled && inFlight === undefined) {
        batchScheduled = true;
        setImmediate(() => {
          batchScheduled = false;
          void flushOne();
        });
      }
    },
    flush,
    async shutdown() {
      clearInterval(timer);
      closing = true;
      let timedOut = false;
      let deadline: NodeJS.Timeout | undefined;
      const drained = (async () => {
        while (!timedOut && (inFlight !== undefined || queue.length > 0)) await flushOne();
      })();
      await Promise.race([
        drained,
        new Promise<void>((resolve) => {
          deadline = setTimeout(resolve, exportTimeoutMs);
        }),
      ]);
      clearTimeout(deadline);
      timedOut = true;
      // Aborts an export still in flight; its spans are counted as failed.
      await pool.destroy();
      await drained;
      if (queue.length > 0) dropped(queue.length, 'shutdown');
      queue = [];
    },
  };
}

/** `<endpoint>/v1/traces`, as the OTLP exporter settings define it for a base endpoint. */
export function tracesUrl(endpoint: string): URL {
  const url = new URL(endpoint);
  if (!url.pathname.endsWith(TRACES_PATH))
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${TRACES_PATH}`;
  return url;
}

/** OTLP partial success: `{"partialSuccess":{"rejectedSpans":"3",...}}`; 0 when absent. */
function rejectedSpans(body: string): number {
  if (!body.includes('rejectedSpans')) return 0;
  try {
    const parsed = JSON.parse(body) as { partialSuccess?: { rejectedSpans?: string | number } };
    return Number(parsed.partialSuccess?.rejectedSpans ?? 0) || 0;
  } catch {
    return 0;
  }
}
