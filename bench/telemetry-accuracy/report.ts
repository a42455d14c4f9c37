// The printed report: per version the three measurements side by side with the controller's
// relative error against each, then the targets with PASS or FAIL.

import { columns } from '../shared/table.ts';
import {
  type Comparison,
  percent,
  QUANTILES,
  type QuantileName,
  relativeError,
  type Verdict,
} from './compare.ts';

export interface ReportContext {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly ratePerS: number;
  readonly uploadIntervalMs: number;
  /** What the controller was asked: byVersion with this windowSeconds, at this time. */
  readonly queryWindowSeconds: number;
  readonly queriedAt: number;
}

export function formatReport(
  context: ReportContext,
  comparison: Comparison,
  list: readonly Verdict[],
): string {
  const header = [
    'metric',
    'generator (client)',
    'proxy A (per request)',
    'controller',
    'ctrl vs proxy A',
    'ctrl vs client',
  ];
  const rows: string[][] = [];
  for (const v of comparison.versions) {
    rows.push([
      `${v.version} requests`,
      String(v.client.requests),
      String(v.proxy.requests),
      String(v.controller.requests),
      difference(v.controller.requests, v.proxy.requests),
      difference(v.controller.requests, v.client.requests),
    ]);
    for (const name of Object.keys(QUANTILES) as QuantileName[]) {
      rows.push([
        `${v.version} ${name} ms`,
        ms(v.client[name]),
        ms(v.proxy[name]),
        ms(v.controller[name]),
        percent(relativeError(v.controller[name], v.proxy[name])),
        percent(relativeError(v.controller[name], v.client[name])),
      ]);
    }
  }
  const { total } = comparison;
  rows.push([
    'all window requests',
    String(total.generator),
    String(total.proxy),
    String(total.controller),
    difference(total.controller, total.proxy),
    difference(total.controller, total.generator),
  ]);
  const hops = comparison.versions.map(
    (v) => `${v.version} p50 ${ms(v.hopMs.p50)} / p99 ${ms(v.hopMs.p99)} ms`,
  );
  const window = `${new Date(context.windowStart).toISOString()} .. ${new Date(context.windowEnd).toISOString()}`;
  return [
    `window ${window} (${(context.windowEnd - context.windowStart) / 1_000} s, whole 10 s buckets), ${context.ratePerS} req/s open loop, 50/50 v1/v2, proxies upload every ${context.uploadIntervalMs} ms`,
    `controller: telemetry.byVersion { windowSeconds: ${context.queryWindowSeconds} } at ${new Date(context.queriedAt).toISOString()}: every bucket from the window's start on (nothing was sent after its end)`,
    '',
    columns([header, ...rows]),
    '',
    "generator (client): from just before the request is handed to Node's HTTP client to its response's end.",
    "proxy A (per request): the calling proxy's own time for the same requests (arrival at its outbound listener to the end of the",
    '  relayed answer), from its access log joined by x-request-id: the figure each proxy puts in the sketch it uploads.',
    `The 2% target is judged against proxy A: client-side time also holds the hop into and out of proxy A, not judged:`,
    `  client minus proxy A per request: ${hops.join('; ')}.`,
    `failed window requests ${comparison.failed}; successful ones missing from proxy A's log or under another version ${comparison.unmatched}; generator send lag p99 ${ms(comparison.sendLagP99Ms)} ms`,
    '',
    columns([
      ['target', 'value', 'verdict'],
      ...list.map((verdict) => [verdict.target, verdict.value, verdict.pass ? 'PASS' : 'FAIL']),
    ]),
  ].join('\n');
}

function ms(value: number): string {
  return Number.isNaN(value) ? '-' : value.toFixed(3);
}

function difference(value: number, reference: number): string {
  return value === reference ? 'exact' : `${value - reference > 0 ? '+' : ''}${value - reference}`;
}
