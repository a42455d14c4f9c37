// What one proxy saw in one window, per traffic key: requests, errors, bytes, and latency as a
// sketch. Drained into a batch the controller can merge.

import { z } from 'zod';
import { LatencySketch } from './sketch.ts';

/**
 * Which side's proxy saw the call: the caller's (outbound, "source") or the callee's (inbound,
 * "destination"), as Istio's `reporter` label. Each call can be reported once by each side; the
 * controller believes the destination side about the callee, whose own proxy measured it.
 */
export const REPORTERS = ['source', 'destination'] as const;
export type Reporter = (typeof REPORTERS)[number];

/**
 * The source a callee's proxy reports for a caller it could not verify: plaintext in PERMISSIVE
 * mode, no certificate to name it by.
 */
export const UNAUTHENTICATED_SOURCE = 'unauthenticated';

export interface TrafficKey {
  readonly reporter: Reporter;
  readonly source: string;
  readonly destination: string;
  readonly destinationVersion: string;
  readonly route: string;
  /** "2xx", "4xx", "5xx"… */
  readonly statusClass: string;
}

interface Series {
  readonly key: TrafficKey;
  requests: number;
  errors: number;
  requestBytes: number;
  responseBytes: number;
  readonly latency: LatencySketch;
}

export const trafficBatch = z.strictObject({
  proxyId: z.string().min(1),
  /** Increases by one per batch, per proxy: a re-sent batch is recognised and counted once. */
  sequence: z.number().int().nonnegative(),
  windowStart: z.number().int(),
  windowEnd: z.number().int(),
  series: z.array(
    z.strictObject({
      /** Absent from proxies older than inbound reporting: they reported their own calls only. */
      reporter: z.enum(REPORTERS).default('source'),
      source: z.string(),
      destination: z.string(),
      destinationVersion: z.string(),
      route: z.string(),
      statusClass: z.string(),
      requests: z.number().int().nonnegative(),
      errors: z.number().int().nonnegative(),
      requestBytes: z.number().int().nonnegative(),
      responseBytes: z.number().int().nonnegative(),
      /** The latency sketch, serialized, base64. */
      latency: z.string(),
    }),
  ),
});
export type TrafficBatch = z.infer<typeof trafficBatch>;

export class TrafficWindow {
  private series = new Map<string, Series>();
  private start: number;

  constructor(private readonly now: () => number = Date.now) {
    this.start = now();
  }

  record(
    key: TrafficKey,
    status: number,
    latencyMs: number,
    requestBytes: number,
    responseBytes: number,
  ): void {
    const id = `${key.reporter}\u0000${key.source}\u0000${key.destination}\u0000${key.destinationVersion}\u0000${key.route}\u0000${key.statusClass}`;
    let series = this.series.get(id);
    if (series === undefined) {
      series = {
        key,
        requests: 0,
        errors: 0,
        requestBytes: 0,
        responseBytes: 0,
        latency: LatencySketch.empty(),
      };
      this.series.set(id, series);
    }
    series.requests += 1;
    if (status >= 500) series.errors += 1;
    series.requestBytes += requestBytes;
    series.responseBytes += responseBytes;
    series.latency.record(latencyMs);
  }

  /** Everything since the last drain, as one batch; the window starts afresh. */
  drain(proxyId: string, sequence: number): TrafficBatch {
    const end = this.now();
    const batch: TrafficBatch = {
      proxyId,
      sequence,
      windowStart: this.start,
      windowEnd: end,
      series: [...this.series.values()].map((s) => ({
        ...s.key,
        requests: s.requests,
        errors: s.errors,
        requestBytes: s.requestBytes,
        responseBytes: s.responseBytes,
        latency: Buffer.from(s.latency.toBytes()).toString('base64'),
      })),
    };
    this.series = new Map();
    this.start = end;
    return batch;
  }

  /** Live view for the admin port: quantiles per key over the window so far. */
  snapshot(): { key: TrafficKey; requests: number; errors: number; p50: number; p99: number }[] {
    return [...this.series.values()].map((s) => ({
      key: s.key,
      requests: s.requests,
      errors: s.errors,
      p50: s.latency.quantile(0.5),
      p99: s.latency.quantile(0.99),
    }));
  }
}
