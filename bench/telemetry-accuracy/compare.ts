// The comparison: per version, the generator's own count and client-side latency, proxy A's
// per-request latency of those same requests (from its access log, joined by request id), and
// what the controller's API reports for the window; then the targets' verdicts.

import type { AccessLine } from './access-log.ts';
import { WINDOW_ID_PREFIX, type WindowRecords } from './records.ts';

/** Percentiles within this relative error of the reference. */
export const MAX_RELATIVE_ERROR = 0.02;
export const VERSIONS = ['v1', 'v2'] as const;
export const QUANTILES = { p50: 0.5, p99: 0.99 } as const;
export type QuantileName = keyof typeof QUANTILES;

/** One row of telemetry.byVersion, as much of it as is compared. */
export interface ControllerVersion {
  readonly version: string;
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
}

export interface Figures {
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
}

export interface VersionComparison {
  readonly version: string;
  /** The generator's successful window requests answered by this version, timed client-side. */
  readonly client: Figures;
  /** The same requests as proxy A timed them (access log, joined by request id). */
  readonly proxy: Figures;
  readonly controller: Figures;
  /** Client-side minus proxy A's time, per request: the hop into and out of proxy A. */
  readonly hopMs: { readonly p50: number; readonly p99: number };
}

export interface Comparison {
  readonly versions: VersionComparison[];
  /** Window requests: the generator sent / proxy A logged / the controller counted. */
  readonly total: {
    readonly generator: number;
    readonly proxy: number;
    readonly controller: number;
  };
  /** Window requests without a 2xx answer from v1 or v2 (socket errors, timeouts, 5xx). */
  readonly failed: number;
  /** Successful window requests proxy A has no line for, or logged under another version. */
  readonly unmatched: number;
  /** Requests before the window (probes, warm-up): proxy A logged / the controller counted. */
  readonly beforeWindow: { readonly proxy: number; readonly controller: number };
  /** How late the generator sent, p99 (ms): its own noise. */
  readonly sendLagP99Ms: number;
}

/** The value at quantile q with the rank DDSketch uses (the floor(q * (n - 1))-th smallest). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;
}

function figuresOf(samples: readonly number[]): Figures {
  const sorted = Float64Array.from(samples).sort();
  return {
    requests: sorted.length,
    p50: quantile(sorted, QUANTILES.p50),
    p99: quantile(sorted, QUANTILES.p99),
  };
}

export function compare(
  records: WindowRecords,
  accessLog: ReadonlyMap<string, AccessLine>,
  controllerWindow: readonly ControllerVersion[],
  controllerAll: readonly ControllerVersion[],
): Comparison {
  let failed = 0;
  let unmatched = 0;
  const samples = new Map<string, { client: number[]; proxy: number[]; hop: number[] }>(
    VERSIONS.map((version) => [version, { client: [], proxy: [], hop: [] }]),
  );
  for (const [index, status] of records.status.entries()) {
    const clientMs = records.clientMs[index];
    const version = records.version[index] ?? '';
    if (status < 200 || status > 299 || clientMs === null || clientMs === undefined) {
      failed += 1;
      continue;
    }
    const bucket = samples.get(version);
    if (bucket === undefined) {
      failed += 1;
      continue;
    }
    // The generator's own figures stand whether or not proxy A logged the request.
    bucket.client.push(clientMs);
    const line = accessLog.get(`${WINDOW_ID_PREFIX}${index}`);
    if (line === undefined || line.version !== version) {
      unmatched += 1;
      continue;
    }
    bucket.proxy.push(line.durationMs);
    bucket.hop.push(clientMs - line.durationMs);
  }
  const windowLines = [...accessLog.keys()].filter((id) => id.startsWith(WINDOW_ID_PREFIX));
  const sum = (rows: readonly ControllerVersion[]) =>
    rows.reduce((total, row) => total + row.requests, 0);
  return {
    versions: VERSIONS.map((version) => {
      const bucket = samples.get(version) ?? { client: [], proxy: [], hop: [] };
      const reported = controllerWindow.find((row) => row.version === version);
      const hop = figuresOf(bucket.hop);
      return {
        version,
        client: figuresOf(bucket.client),
        proxy: figuresOf(bucket.proxy),
        controller: {
          requests: reported?.requests ?? 0,
          p50: reported?.p50 ?? Number.NaN,
          p99: reported?.p99 ?? Number.NaN,
        },
        hopMs: { p50: hop.p50, p99: hop.p99 },
      };
    }),
    total: {
      generator: records.status.length,
      proxy: windowLines.length,
      controller: sum(controllerWindow),
    },
    failed,
    unmatched,
    beforeWindow: {
      proxy: accessLog.size - windowLines.length,
      controller: sum(controllerAll) - sum(controllerWindow),
    },
    sendLagP99Ms: quantile(Float64Array.from(records.lagMs).sort(), QUANTILES.p99),
  };
}

export function relativeError(value: number, reference: number): number {
  return (value - reference) / reference;
}

export interface Verdict {
  readonly target: string;
  readonly value: string;
  readonly pass: boolean;
}

export function verdicts(comparison: Comparison): Verdict[] {
  const list: Verdict[] = [];
  for (const v of comparison.versions) {
    list.push({
      target: `${v.version} requests: controller = generator, exactly`,
      value: `${v.controller.requests} / ${v.client.requests}`,
      pass: v.controller.requests === v.client.requests && v.client.requests > 0,
    });
  }
  const { total } = comparison;
  list.push({
    target: 'all window requests: controller = generator sent, exactly',
    value: `${total.controller} / ${total.generator}`,
    pass: total.controller === total.generator && comparison.unmatched === 0,
  });
  for (const v of comparison.versions) {
    for (const name of Object.keys(QUANTILES) as QuantileName[]) {
      const error = relativeError(v.controller[name], v.proxy[name]);
      list.push({
        target: `${v.version} ${name}: controller within ${MAX_RELATIVE_ERROR * 100}% of proxy A per request`,
        value: percent(error),
        pass: Math.abs(error) <= MAX_RELATIVE_ERROR,
      });
    }
  }
  const before = comparison.beforeWindow;
  list.push({
    target: 'requests before the window counted before it, exactly',
    value: `${before.controller} / ${before.proxy}`,
    pass: before.controller === before.proxy,
  });
  return list;
}

export function percent(fraction: number): string {
  if (Number.isNaN(fraction)) return '-';
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(2)}%`;
}
