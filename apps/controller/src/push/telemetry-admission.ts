// Which telemetry batches the controller believes: only a proxy's own observations (its own
// service calling a configured one, or its own service and version answering a call), counts that
// add up, windows that are not in the future, and no more requests than a proxy can carry, per
// batch and over time.

import type { LatencySketch, TrafficBatch } from '@weft/telemetry';
import { text } from '../api/text-input.ts';
import { decodeSketch } from '../repositories/telemetry.ts';
import { ProxyRefusal } from './proxy-refusal.ts';

/** Series in one batch: a proxy has one per route, version and status class it saw. */
export const MAX_SERIES_PER_BATCH = 10_000;
/**
 * Requests one proxy may report per second, on average: ten times what a Node proxy carries on
 * the machines measured (docs/reliability.md), so no real proxy meets it.
 */
export const MAX_REQUESTS_PER_PROXY_SECOND = 50_000;
/** Requests in one batch: the longest upload interval a proxy allows (10 min) at that rate. */
export const MAX_REQUESTS_PER_BATCH = MAX_REQUESTS_PER_PROXY_SECOND * 600;
/** A window longer than the longest upload interval, with room for a slow upload. */
export const MAX_WINDOW_MS = 15 * 60_000;
/** How far a window may end after the controller's clock. */
export const MAX_CLOCK_SKEW_MS = 60_000;
/** Route names and status classes are short; anything longer is not from a proxy. */
const MAX_LABEL_LENGTH = 512;
/** Labels are stored as sent. */
const storable = text();

/** Who sends a batch, as its certificate and registration say. */
export interface Reporting {
  /** The caller's own "namespace/service", from its certificate. */
  readonly workload: string;
  /** The version it registered with ("" without one): what its inbound series must name. */
  readonly version: string;
}

interface Budget {
  requests: number;
  at: number;
}

export class TelemetryAdmission {
  /**
   * Per proxy, requests it may still report: a bucket holding up to MAX_REQUESTS_PER_BATCH,
   * refilled at MAX_REQUESTS_PER_PROXY_SECOND by the controller's clock (never by the windows a
   * batch claims, which the proxy chooses). In memory: a restart only starts every bucket full.
   */
  private readonly budgets = new Map<string, Budget>();

  /**
   * Throws a ProxyRefusal naming the first thing wrong with the batch; else takes its requests
   * from the proxy's budget and returns its series' latency sketches, decoded once for the merge.
   * @param services every configured "namespace/service"
   */
  admit(
    batch: TrafficBatch,
    reporting: Reporting,
    services: ReadonlySet<string>,
    now: number,
  ): LatencySketch[] {
    if (batch.series.length > MAX_SERIES_PER_BATCH)
      throw new ProxyRefusal(
        422,
        `a batch holds at most ${MAX_SERIES_PER_BATCH} series, this one ${batch.series.length}`,
      );
    const window = batch.windowEnd - batch.windowStart;
    if (window < 0 || window > MAX_WINDOW_MS)
      throw new ProxyRefusal(
        422,
        `windowEnd - windowStart must be between 0 and ${MAX_WINDOW_MS} ms, not ${window}`,
      );
    if (batch.windowEnd > now + MAX_CLOCK_SKEW_MS)
      throw new ProxyRefusal(
        422,
        `the window ends ${batch.windowEnd - now} ms after the controller's clock (at most ${MAX_CLOCK_SKEW_MS})`,
      );
    let requests = 0;
    const latencies = batch.series.map((series, index) => {
      const where = `series[${index}]`;
      checkOwnSide(series, where, reporting);
      if (!services.has(series.destination))
        throw new ProxyRefusal(
          422,
          `${where}.destination ${series.destination} is not a configured service`,
        );
      for (const label of ['source', 'destinationVersion', 'route', 'statusClass'] as const) {
        if (series[label].length > MAX_LABEL_LENGTH)
          throw new ProxyRefusal(422, `${where}.${label} is longer than ${MAX_LABEL_LENGTH}`);
        if (!storable.safeParse(series[label]).success)
          throw new ProxyRefusal(422, `${where}.${label} holds a NUL or a lone surrogate`);
      }
      if (series.errors > series.requests)
        throw new ProxyRefusal(
          422,
          `${where}.errors (${series.errors}) is more than its requests (${series.requests})`,
        );
      const latency = readSketch(series.latency);
      const recorded =
        latency === undefined || !Number.isFinite(latency.count) ? undefined : latency.count;
      if (latency === undefined || recorded !== series.requests)
        throw new ProxyRefusal(
          422,
          `${where}.latency holds ${recorded ?? 'no readable sketch'} measurements for ${series.requests} requests`,
        );
      requests += series.requests;
      return latency;
    });
    if (requests > MAX_REQUESTS_PER_BATCH)
      throw new ProxyRefusal(
        422,
        `a batch reports at most ${MAX_REQUESTS_PER_BATCH} requests, this one ${requests}`,
      );
    this.spend(batch.proxyId, requests, now);
    return latencies;
  }

  private spend(proxyId: string, requests: number, now: number): void {
    const budget = this.budgets.get(proxyId) ?? { requests: MAX_REQUESTS_PER_BATCH, at: now };
    const refilled = Math.min(
      MAX_REQUESTS_PER_BATCH,
      budget.requests + ((now - budget.at) / 1_000) * MAX_REQUESTS_PER_PROXY_SECOND,
    );
    if (requests > refilled)
      throw new ProxyRefusal(
        429,
        `${proxyId} reported more than ${MAX_REQUESTS_PER_PROXY_SECOND} requests a second; send this batch later`,
      );
    this.budgets.set(proxyId, { requests: refilled - requests, at: now });
  }
}

/**
 * A proxy reports only its own side of a call: as the caller, calls from its own service; as the
 * callee, calls its own service and version answered (the caller named by the certificate it
 * presented, which the controller cannot check, and so only believes about this callee).
 */
function checkOwnSide(
  series: TrafficBatch['series'][number],
  where: string,
  { workload, version }: Reporting,
): void {
  if (series.reporter === 'source' && series.source !== workload)
    throw new ProxyRefusal(
      403,
      `${where}.source is ${series.source}; a proxy of ${workload} reports only its own calls`,
    );
  if (series.reporter === 'destination' && series.destination !== workload)
    throw new ProxyRefusal(
      403,
      `${where}.destination is ${series.destination}; a proxy of ${workload} reports only the calls it answered`,
    );
  if (series.reporter === 'destination' && series.destinationVersion !== version)
    throw new ProxyRefusal(
      403,
      `${where}.destinationVersion is "${series.destinationVersion}"; this proxy registered as version "${version}"`,
    );
}

/** The serialized sketch, or undefined when it is not one. */
function readSketch(base64: string): LatencySketch | undefined {
  try {
    return decodeSketch(base64);
  } catch {
    return undefined;
  }
}
