// The printed report: every figure per path with the ratios between paths that ran (Weft over
// nginx, over a bare Node forwarder, and each Weft telemetry variant over Weft recording nothing), then
// the targets with PASS or FAIL.

import { columns } from '../shared/table.ts';
import type { PathResult } from './measure-path.ts';
import {
  type BenchOptions,
  type PathName,
  WEFT_NO_TELEMETRY,
  WEFT_TELEMETRY,
  WEFT_TRACED,
} from './options.ts';
import type { Results, Verdict } from './targets.ts';
import type { TurnsResult } from './telemetry-cost.ts';

interface Row {
  readonly metric: string;
  readonly value: (result: PathResult, all: Results) => number | undefined;
  readonly digits: number;
}

const sidecarRows = (
  metric: string,
  digits: number,
  value: (result: PathResult, label: string) => number | undefined,
): Row[] =>
  ['A', 'B'].map((label) => ({
    metric: metric.replace('{}', label),
    digits,
    value: (result) => value(result, label),
  }));

const addedOverDirect =
  (pick: (result: PathResult) => number) =>
  (result: PathResult, all: Results): number | undefined =>
    all.direct === undefined || result.name === 'direct'
      ? undefined
      : pick(result) - pick(all.direct);

/** A column of one path's figures over another's, shown when both ran. */
const RATIOS: readonly { over: PathName; under: PathName; header: string }[] = [
  { over: 'weft', under: 'nginx', header: 'weft/nginx' },
  { over: 'weft', under: 'node-bare', header: 'weft/node-bare' },
  { over: 'weft', under: WEFT_NO_TELEMETRY, header: 'weft/no-telemetry' },
  { over: WEFT_TRACED, under: WEFT_NO_TELEMETRY, header: 'traced/no-telemetry' },
  { over: WEFT_TELEMETRY, under: WEFT_NO_TELEMETRY, header: 'all-telemetry/none' },
];

function rows(options: BenchOptions): Row[] {
  const rate = `@ ${options.ratePerS} req/s`;
  return [
    {
      metric: `req/s, closed loop (${options.connections} conns)`,
      digits: 0,
      value: (r) => r.closed.load.requestsPerSecond,
    },
    { metric: 'closed-loop p50 ms (wrk)', digits: 2, value: (r) => r.closed.load.latencyMs.p50 },
    { metric: 'closed-loop p99 ms (wrk)', digits: 2, value: (r) => r.closed.load.latencyMs.p99 },
    { metric: 'closed-loop p99.9 ms (wrk)', digits: 2, value: (r) => r.closed.load.latencyMs.p999 },
    { metric: `p50 ms ${rate}`, digits: 3, value: (r) => r.open.load.latencyMs.p50 },
    { metric: `p99 ms ${rate}`, digits: 3, value: (r) => r.open.load.latencyMs.p99 },
    { metric: `p99.9 ms ${rate}`, digits: 3, value: (r) => r.open.load.latencyMs.p999 },
    { metric: `max ms ${rate}`, digits: 3, value: (r) => r.open.load.latencyMs.max },
    {
      metric: `added p50 ms over direct ${rate}`,
      digits: 3,
      value: addedOverDirect((r) => r.open.load.latencyMs.p50),
    },
    {
      metric: `added p99 ms over direct ${rate}`,
      digits: 3,
      value: addedOverDirect((r) => r.open.load.latencyMs.p99),
    },
    {
      metric: `added p99.9 ms over direct ${rate}`,
      digits: 3,
      value: addedOverDirect((r) => r.open.load.latencyMs.p999),
    },
    ...sidecarRows(
      `CPU us/req, sidecar {} ${rate}`,
      1,
      (r, label) => r.open.measured.sidecars[label]?.cpuUsPerRequest,
    ),
    ...sidecarRows(
      'CPU us/req, sidecar {} closed loop',
      1,
      (r, label) => r.closed.measured.sidecars[label]?.cpuUsPerRequest,
    ),
    ...sidecarRows(
      'cores busy, sidecar {} closed loop',
      2,
      (r, label) => r.closed.measured.sidecars[label]?.cores,
    ),
    ...sidecarRows(
      'RSS MB, sidecar {} under load (max)',
      1,
      (r, label) => r.closed.measured.sidecars[label]?.rssMb,
    ),
    ...sidecarRows('peak RSS MB (VmHWM), sidecar {}', 1, (r, label) => r.peakRssMb[label]),
    {
      metric: 'full TLS handshakes A->B /10k req',
      digits: 2,
      value: (r) => r.handshakesPer10k?.full,
    },
    {
      metric: 'resumed TLS handshakes A->B /10k req',
      digits: 2,
      value: (r) => r.handshakesPer10k?.resumed,
    },
    {
      metric: 'cores busy, service closed loop',
      digits: 2,
      value: (r) => r.closed.measured.service.cores,
    },
    {
      metric: 'errors, closed loop (socket + non-2xx)',
      digits: 0,
      value: (r) => Object.values(r.closed.load.errors).reduce((sum, count) => sum + count, 0),
    },
    {
      metric: 'errors, open loop (failed + non-2xx)',
      digits: 0,
      value: (r) => r.open.load.errors + r.open.load.non2xx,
    },
    {
      metric: 'generator send lag p99 ms (noise floor)',
      digits: 3,
      value: (r) => r.open.load.lagMs.p99,
    },
  ];
}

export function formatReport(
  options: BenchOptions,
  results: Results,
  skipped: Readonly<Record<string, string>>,
  list: readonly Verdict[],
  telemetryCost?: TurnsResult,
): string {
  // Already in the canonical order (direct first, the Weft variants together).
  const names = options.paths;
  const header = ['metric', ...names.map((name) => (skipped[name] ? `${name} (skipped)` : name))];
  const ratios = RATIOS.filter(
    (ratio) => names.includes(ratio.over) && names.includes(ratio.under),
  );
  header.push(...ratios.map((ratio) => ratio.header));
  const table = rows(options).map((row) => {
    const value = (name: PathName) => {
      const result = results[name];
      return result === undefined ? undefined : row.value(result, results);
    };
    const cells = [row.metric, ...names.map((name) => number(value(name), row.digits))];
    for (const ratio of ratios) {
      const over = value(ratio.over);
      const under = value(ratio.under);
      cells.push(
        over === undefined || under === undefined || under === 0
          ? '-'
          : `${(over / under).toFixed(2)}x`,
      );
    }
    return cells;
  });
  const targets = list.map((verdict) => [
    verdict.target,
    number(verdict.value, 2),
    verdict.pass === undefined ? 'n/a' : verdict.pass ? 'PASS' : 'FAIL',
  ]);
  return [
    columns([header, ...table]),
    '',
    columns([['target', 'weft', 'verdict'], ...targets]),
    ...(telemetryCost === undefined ? [] : ['', telemetryTable(telemetryCost)]),
    ...Object.entries(skipped).map(([name, reason]) => `\n${name} skipped: ${reason}`),
  ].join('\n');
}

/** The Weft variants' turns: totals, and throughput over the first (recording nothing) per cycle. */
function telemetryTable(turns: TurnsResult): string {
  const rows = Object.entries(turns.variants).map(([name, totals]) => {
    const paired = turns.throughputVsBaseline[name as PathName];
    return [
      name,
      number(totals.requestsPerSecond, 0),
      number(totals.cpuUsPerRequest.A, 1),
      number(totals.cpuUsPerRequest.B, 1),
      paired === undefined ? '-' : `${paired.median.toFixed(3)}x`,
      paired === undefined ? '' : paired.perCycle.map((ratio) => ratio.toFixed(2)).join(' '),
    ];
  });
  return [
    `telemetry cost: the variants side by side, ${turns.cycles} turns of ${turns.windowMs / 1_000} s each under the same closed loop`,
    columns([
      ['variant', 'req/s', 'CPU us/req A', 'CPU us/req B', `vs ${WEFT_NO_TELEMETRY}`, 'per cycle'],
      ...rows,
    ]),
  ].join('\n');
}

function number(value: number | undefined, digits: number): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}
