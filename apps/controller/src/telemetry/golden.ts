// The golden metrics every telemetry view shows (rate, success rate, latency percentiles),
// computed in one place from merged figures so the overview, graph and charts agree.

import type { LatencySketch } from '@weft/telemetry';
import { emptyFigures, type Figures } from '../repositories/telemetry.ts';

export interface Golden {
  readonly requests: number;
  readonly errors: number;
  readonly requestsPerSecond: number;
  /** Share of requests that were not 5xx, 0..1; null without requests. */
  readonly successRate: number | null;
  /** Latency percentiles in milliseconds (the proxies record ms); null without requests. */
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

/** The golden metrics of `figures` spread over `seconds`. */
export function goldenOf(figures: Figures, seconds: number): Golden {
  return {
    requests: figures.requests,
    errors: figures.errors,
    requestsPerSecond: figures.requests / seconds,
    successRate: successRate(figures),
    p50: quantileMs(figures.latency, 0.5),
    p90: quantileMs(figures.latency, 0.9),
    p99: quantileMs(figures.latency, 0.99),
  };
}

export function successRate(figures: Pick<Figures, 'requests' | 'errors'>): number | null {
  return figures.requests === 0 ? null : (figures.requests - figures.errors) / figures.requests;
}

/** A quantile in ms, or null for an empty sketch (JSON has no NaN). */
export function quantileMs(latency: LatencySketch, q: number): number | null {
  const value = latency.quantile(q);
  return Number.isNaN(value) ? null : value;
}

/** One set of figures holding all of `parts`; the parts are left as they were. */
export function mergeFigures(parts: Iterable<Figures>): Figures {
  const merged = emptyFigures();
  for (const part of parts) {
    merged.requests += part.requests;
    merged.errors += part.errors;
    merged.latency.merge(part.latency);
  }
  return merged;
}
