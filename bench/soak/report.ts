// The soak's verdicts and the table printed at the end: per process, resident memory and open
// file descriptors from the post-warm-up baseline to the end; the requests; PASS or FAIL.

import type { LoadReport } from '../../apps/controller/test/reliability/open-loop.ts';
import { type Sample, type Trend, trend } from './samples.ts';

/** Resident memory may grow this much from the baseline to the end. */
export const MAX_RSS_GROWTH = 0.1;
/** Open descriptors are judged on their floor (see Trend), and may move this much. */
export const FD_TOLERANCE = 2;
const MIB = 1_048_576;

export interface ProcessVerdict {
  readonly name: string;
  /** Judged: the controller and the proxies; the stand-in services are shown only. */
  readonly judged: boolean;
  readonly rss: Trend | undefined;
  readonly fds: Trend | undefined;
  readonly rssGrowth: number | undefined;
  readonly pass: boolean;
}

export interface SoakVerdict {
  readonly processes: readonly ProcessVerdict[];
  /** Shown, not judged: the controller's V8 heap in use, baseline to end. */
  readonly controllerHeap: Trend | undefined;
  readonly requestsPass: boolean;
  readonly pass: boolean;
}

export function judge(samples: readonly Sample[], fromS: number, load: LoadReport): SoakVerdict {
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.rssBytes)))];
  const processes = names.map((name): ProcessVerdict => {
    const judged = !name.startsWith('service');
    const rss = trend(samples, (s) => s.rssBytes[name], fromS);
    const fds = trend(samples, (s) => s.fds[name], fromS);
    const rssGrowth =
      rss === undefined ? undefined : (rss.endPeak - rss.baselinePeak) / rss.baselinePeak;
    const pass =
      !judged ||
      (rssGrowth !== undefined &&
        rssGrowth < MAX_RSS_GROWTH &&
        fds !== undefined &&
        fds.endFloor - fds.baselineFloor <= FD_TOLERANCE);
    return { name, judged, rss, fds, rssGrowth, pass };
  });
  const requestsPass = load.failed === 0;
  return {
    processes,
    controllerHeap: trend(samples, (s) => s.controllerHeapBytes, fromS),
    requestsPass,
    pass: requestsPass && processes.every((p) => p.pass),
  };
}

export function formatReport(
  verdict: SoakVerdict,
  load: LoadReport,
  run: { capacity: number; durationS: number; warmupS: number; sampleIntervalS: number },
): string {
  const header = [
    'process',
    'RSS base MiB',
    'RSS end MiB',
    'RSS max MiB',
    'growth',
    'fds base',
    'fds end',
    'fds max',
    'verdict',
  ];
  const rows = verdict.processes.map((p) => [
    p.name,
    mib(p.rss?.baselinePeak),
    mib(p.rss?.endPeak),
    mib(p.rss?.max),
    p.rssGrowth === undefined ? '-' : `${(p.rssGrowth * 100).toFixed(1)}%`,
    String(p.fds?.baselineFloor ?? '-'),
    String(p.fds?.endFloor ?? '-'),
    String(p.fds?.max ?? '-'),
    p.judged ? (p.pass ? 'PASS' : 'FAIL') : '(shown)',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  const failures = Object.entries(load.failures)
    .map(([kind, count]) => `${count} × ${kind}`)
    .join(', ');
  return [
    `soak: ${run.durationS} s of load at ${load.rate} req/s (capacity measured ${run.capacity} req/s), ` +
      `baseline after ${run.warmupS} s, a sample every ${run.sampleIntervalS} s`,
    '',
    line(header),
    ...rows.map(line),
    `controller V8 heap in use (peaks): ${mib(verdict.controllerHeap?.baselinePeak)} MiB at the ` +
      `baseline, ${mib(verdict.controllerHeap?.endPeak)} MiB at the end, ` +
      `${mib(verdict.controllerHeap?.max)} MiB at most`,
    '',
    `requests: ${load.sent} sent, ${load.ok} ok, ${load.failed} failed${failures === '' ? '' : ` (${failures})`}; ` +
      `latency p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, max ${load.latencyMs.max} ms`,
    `targets: RSS growth < ${MAX_RSS_GROWTH * 100}% (peak of the baseline window to peak of the ` +
      `end window, each a fifth of the samples after the warm-up); open fds not growing (lowest ` +
      `of the end window ≤ lowest of the baseline window + ${FD_TOLERANCE}); 0 failed requests`,
    `requests ${verdict.requestsPass ? 'PASS' : 'FAIL'}`,
    verdict.pass ? 'PASS' : 'FAIL',
  ].join('\n');
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '-' : (bytes / MIB).toFixed(1);
}
