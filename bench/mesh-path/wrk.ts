// Closed-loop load with wrk: a fixed number of connections, each sending its next request as
// soon as the last one is answered, for the highest throughput a path sustains.

import { once } from 'node:events';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import type { Supervisor } from './supervisor.ts';

const REPORT_SCRIPT = fileURLToPath(new URL('wrk-report.lua', import.meta.url));
const REPORT_MARKER = 'mesh-path-json ';
const MS_PER_S = 1_000;
const US_PER_MS = 1_000;
/** A request slower than this is a timeout error in wrk's count. */
const REQUEST_TIMEOUT_S = 5;
/** wrk stops itself after its duration; past this grace it is killed. */
const EXIT_GRACE_MS = 15_000;
/** One thread is enough for 32 connections to loopback and leaves a core to the paths. */
const WRK_THREADS = 1;

export interface ClosedLoopResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  /** Socket errors plus responses other than 2xx and 3xx. */
  readonly errors: {
    connect: number;
    read: number;
    write: number;
    status: number;
    timeout: number;
  };
  readonly latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number };
}

interface WrkReport {
  requests: number;
  durationUs: number;
  errors: ClosedLoopResult['errors'];
  latencyUs: ClosedLoopResult['latencyMs'];
}

export async function runWrk(
  supervisor: Supervisor,
  label: string,
  wrk: string,
  load: { url: string; connections: number; durationMs: number },
): Promise<ClosedLoopResult> {
  const { url, connections, durationMs } = load;
  const seconds = Math.max(1, Math.round(durationMs / MS_PER_S));
  const args = [
    `-t${Math.min(WRK_THREADS, connections)}`,
    `-c${connections}`,
    `-d${seconds}s`,
    `--timeout`,
    `${REQUEST_TIMEOUT_S}s`,
    '-s',
    REPORT_SCRIPT,
    url,
  ];
  const child = supervisor.start(label, wrk, args, { stdout: 'pipe' });
  const timer = setTimeout(() => child.process.kill('SIGKILL'), seconds * MS_PER_S + EXIT_GRACE_MS);
  const [stdout] = await Promise.all([
    child.process.stdout === null ? '' : text(child.process.stdout),
    once(child.process, 'exit'),
  ]);
  clearTimeout(timer);
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(REPORT_MARKER));
  if (line === undefined) throw new Error(`wrk printed no report:\n${stdout}${child.logTail()}`);
  const report = JSON.parse(line.slice(REPORT_MARKER.length)) as WrkReport;
  const measuredSeconds = report.durationUs / (MS_PER_S * US_PER_MS);
  const toMs = (us: number) => us / US_PER_MS;
  return {
    requests: report.requests,
    seconds: measuredSeconds,
    requestsPerSecond: report.requests / measuredSeconds,
    errors: report.errors,
    latencyMs: {
      p50: toMs(report.latencyUs.p50),
      p90: toMs(report.latencyUs.p90),
      p99: toMs(report.latencyUs.p99),
      p999: toMs(report.latencyUs.p999),
      max: toMs(report.latencyUs.max),
    },
  };
}
