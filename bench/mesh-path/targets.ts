// The data-plane targets from the issue, and each one's verdict on a run's results.

import type { PathResult } from './measure-path.ts';
import { type PathName, WEFT_TRACED } from './options.ts';
import type { TurnsResult } from './telemetry-cost.ts';

/** Weft's closed-loop requests per second, as a fraction of nginx's. */
export const MIN_THROUGHPUT_VS_NGINX = 0.6;
/** CPU time per request in each proxy process, at the open-loop rate. */
export const MAX_CPU_US_PER_REQUEST = 100;
/** p99 added over the direct path at the open-loop rate. */
export const MAX_ADDED_P99_MS = 1;
/** Peak resident memory (VmHWM) per proxy process. */
export const MAX_RSS_MB = 64;
/** "About zero" full handshakes in steady state: connections and sessions are reused. */
export const MAX_FULL_HANDSHAKES_PER_10K = 1;
/** Telemetry (issue 5): Weft as shipped keeps this share of the throughput of Weft recording nothing. */
export const MIN_THROUGHPUT_WITH_TELEMETRY = 0.9;

export interface Verdict {
  readonly target: string;
  readonly value: number | undefined;
  /** Undefined when the figure could not be measured in this run. */
  readonly pass: boolean | undefined;
}

export type Results = Partial<Record<PathName, PathResult>>;

/**
 * telemetry: the Weft variants' turns under load (--telemetry compare), judged on the median of
 * the per-cycle throughput ratios to Weft recording nothing.
 */
export function verdicts(results: Results, telemetry?: TurnsResult): Verdict[] {
  const { direct, weft, nginx } = results;
  const atMost = (value: number | undefined, limit: number) =>
    value === undefined || Number.isNaN(value) ? undefined : value <= limit;
  const ratio =
    weft !== undefined && nginx !== undefined
      ? weft.closed.load.requestsPerSecond / nginx.closed.load.requestsPerSecond
      : undefined;
  const addedP99 =
    weft !== undefined && direct !== undefined
      ? weft.open.load.latencyMs.p99 - direct.open.load.latencyMs.p99
      : undefined;
  const list: Verdict[] = [
    {
      target: `Weft req/s >= ${MIN_THROUGHPUT_VS_NGINX}x nginx`,
      value: ratio,
      pass: ratio === undefined ? undefined : ratio >= MIN_THROUGHPUT_VS_NGINX,
    },
    {
      target: `Weft added p99 over direct <= ${MAX_ADDED_P99_MS} ms`,
      value: addedP99,
      pass: atMost(addedP99, MAX_ADDED_P99_MS),
    },
  ];
  for (const label of ['A', 'B']) {
    const cpu = weft?.open.measured.sidecars[label]?.cpuUsPerRequest;
    list.push({
      target: `Weft proxy ${label} CPU <= ${MAX_CPU_US_PER_REQUEST} us/request`,
      value: cpu,
      pass: atMost(cpu, MAX_CPU_US_PER_REQUEST),
    });
  }
  for (const label of ['A', 'B']) {
    const rss = weft?.peakRssMb[label];
    list.push({
      target: `Weft proxy ${label} peak RSS <= ${MAX_RSS_MB} MB`,
      value: rss,
      pass: atMost(rss, MAX_RSS_MB),
    });
  }
  const full = weft?.handshakesPer10k?.full;
  list.push({
    target: `Weft full TLS handshakes <= ${MAX_FULL_HANDSHAKES_PER_10K} per 10k requests`,
    value: full,
    pass: atMost(full, MAX_FULL_HANDSHAKES_PER_10K),
  });
  for (const [what, paired] of [
    ['as shipped', telemetry?.throughputVsBaseline.weft],
    ['tracing 1%', telemetry?.throughputVsBaseline[WEFT_TRACED]],
  ] as const) {
    if (paired === undefined) continue;
    list.push({
      target: `Weft req/s ${what} >= ${MIN_THROUGHPUT_WITH_TELEMETRY}x without telemetry`,
      value: paired.median,
      pass: paired.median >= MIN_THROUGHPUT_WITH_TELEMETRY,
    });
  }
  return list;
}
