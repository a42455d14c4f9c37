// bench:telemetry-accuracy: does the controller report what the clients saw? A load generator
// times every request it sends through a real mesh (a controller process and three proxies from
// the production bundle, bootstrapped by join token, uploading telemetry every second) to a
// service whose v1 answers in ~5 ms and v2 in ~50 ms, split 50/50. Over a window of whole rollup
// buckets it compares the controller's telemetry.byVersion with the generator's counts and with
// the calling proxy's own per-request latency of the same requests; prints the table with the
// targets' verdicts and writes bench/results/telemetry-accuracy.json.

import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { firstJsonLine, readJsonLines, startScript } from '../mesh-path/run-script.ts';
import { Supervisor } from '../mesh-path/supervisor.ts';
import { readAccessLog } from './access-log.ts';
import { type ControllerVersion, compare, verdicts } from './compare.ts';
import { type AccuracyOptions, BUCKET_MS, parseOptions, USAGE } from './options.ts';
import type { WarmupSummary, WindowRecords } from './records.ts';
import { formatReport } from './report.ts';
import { type RunningMesh, SERVICE, startMesh, UPLOAD_INTERVAL_MS } from './weft-mesh.ts';

/** Building nothing (the npm script builds the proxy first), starting the mesh, settling. */
const SETUP_BUDGET_MS = 180_000;
/** Quiet time between the warm-up's last answer and the window: every warm-up request is
 * uploaded (in a batch that ends before the window's first bucket) well within it. */
const GAP_MS = 3 * UPLOAD_INTERVAL_MS;
/** The totals have not moved for this long and proxy A's window is empty: the uploads landed. */
const SETTLED_AFTER_MS = 3 * UPLOAD_INTERVAL_MS;
const SETTLE_LIMIT_MS = 60_000;
/**
 * byVersion counts buckets starting at or after now - windowSeconds. Asked with the seconds
 * since the window's start plus this margin, `since` falls 4 to 5 s before the window's first
 * bucket: after the bucket before it, whatever the call's own delay.
 */
const QUERY_MARGIN_SECONDS = 5;
/** Everything since the controller started (the run is far shorter than the 10 s tier's hour). */
const WHOLE_RUN_SECONDS = 3_600;
const START_TIMEOUT_MS = 15_000;
const EXIT_INTERRUPTED = 130;
const EXIT_TERMINATED = 143;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = join(repoRoot, 'bench', 'results');
const logDir = join(resultsDir, 'telemetry-accuracy-logs');

const say = (line: string) => process.stderr.write(`[telemetry-accuracy] ${line}\n`);

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Logs of an earlier run would read as this one's.
  await rm(logDir, { recursive: true, force: true });
  await mkdir(logDir, { recursive: true });
  const supervisor = new Supervisor(logDir);
  const shutdown = async (code: number, why: string) => {
    say(why);
    await supervisor.stopAll();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(EXIT_INTERRUPTED, 'interrupted; stopping'));
  process.once('SIGTERM', () => void shutdown(EXIT_TERMINATED, 'terminated; stopping'));
  const budgetMs =
    SETUP_BUDGET_MS + parsed.warmupMs + GAP_MS + BUCKET_MS + parsed.durationMs + SETTLE_LIMIT_MS;
  setTimeout(
    () => void shutdown(1, `time budget of ${budgetMs} ms exceeded; stopping`),
    budgetMs,
  ).unref();
  try {
    return await run(parsed, supervisor);
  } finally {
    await supervisor.stopAll();
  }
}

async function run(options: AccuracyOptions, supervisor: Supervisor): Promise<number> {
  const loadAtStart = loadavg();
  const dir = await mkdtemp(join(tmpdir(), 'weft-telemetry-accuracy-'));
  supervisor.ownFolder(dir);
  const versions = startScript(supervisor, 'versions', 'versions.ts', [], import.meta.url);
  const servicePorts = (await firstJsonLine(versions, START_TIMEOUT_MS)) as {
    v1: number;
    v2: number;
  };
  say('starting the controller and proxies A (client), B1 (v1), B2 (v2)');
  const mesh = await startMesh({ supervisor, repoRoot, dir, servicePorts });

  const recordsFile = join(logDir, 'generator-window.json');
  const load = startScript(
    supervisor,
    'load',
    'load.ts',
    [
      '--url',
      mesh.url,
      '--rate',
      String(options.ratePerS),
      '--warmup-ms',
      String(options.warmupMs),
      '--gap-ms',
      String(GAP_MS),
      '--bucket-ms',
      String(BUCKET_MS),
      '--duration-ms',
      String(options.durationMs),
      '--connections',
      String(options.connections),
      '--out',
      recordsFile,
    ],
    import.meta.url,
  );
  let warmed: WarmupSummary | undefined;
  let finished = false;
  await readJsonLines(load, (line) => {
    if (line.event === 'warmed') {
      warmed = line as unknown as WarmupSummary;
      say(`warm-up: ${warmed.sent} requests (${warmed.failed} failed)`);
    } else if (line.event === 'window') {
      const start = Number(line.start);
      say(
        `window ${new Date(start).toISOString()} + ${options.durationMs / 1_000} s (opens in ${((start - Date.now()) / 1_000).toFixed(1)} s)`,
      );
    } else if (line.event === 'result') finished = true;
  });
  if (!finished) throw new Error(`the load generator gave no result:\n${load.logTail()}`);
  const records = JSON.parse(await readFile(recordsFile, 'utf8')) as WindowRecords;

  say('window closed; waiting for the last uploads to land');
  await waitForUploads(mesh, records.start);
  const queriedAt = Date.now();
  const queryWindowSeconds = windowSecondsSince(records.start, queriedAt);
  const controllerWindow = await byVersion(mesh, queryWindowSeconds);
  const controllerAll = await byVersion(mesh, WHOLE_RUN_SECONDS);
  // Its lines are written at least every second; the settling above took longer.
  const accessLog = await readAccessLog(mesh.accessLogFile);
  await copyFile(mesh.accessLogFile, join(logDir, 'proxy-a-access.log'));

  const comparison = compare(records, accessLog, controllerWindow, controllerAll);
  const list = verdicts(comparison);
  const context = {
    windowStart: records.start,
    windowEnd: records.end,
    ratePerS: options.ratePerS,
    uploadIntervalMs: UPLOAD_INTERVAL_MS,
    queryWindowSeconds,
    queriedAt,
  };
  const loadAtEnd = loadavg();
  process.stdout.write(`${formatReport(context, comparison, list)}\n`);
  process.stdout.write(
    `\nload average (1 min) at start ${loadAtStart[0]?.toFixed(2)}, at end ${loadAtEnd[0]?.toFixed(2)} on ${cpus().length} cores\n`,
  );
  const file = join(resultsDir, 'telemetry-accuracy.json');
  await writeFile(
    file,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model,
          kernel: release(),
          node: process.version,
          loadAverage: { start: loadAtStart, end: loadAtEnd },
        },
        options,
        ...context,
        warmup: warmed,
        controller: { window: controllerWindow, wholeRun: controllerAll },
        comparison,
        verdicts: list,
      },
      null,
      2,
    )}\n`,
  );
  say(
    `results written to ${file}; logs, proxy A's access log and the generator's records in ${logDir}`,
  );
  return 0;
}

function windowSecondsSince(start: number, now: number): number {
  return Math.floor((now - start) / 1_000) + QUERY_MARGIN_SECONDS;
}

async function byVersion(mesh: RunningMesh, windowSeconds: number): Promise<ControllerVersion[]> {
  const rows = await mesh.api.telemetry.byVersion.query({ service: SERVICE, windowSeconds });
  return rows.map((row) => ({
    version: row.version,
    requests: row.requests,
    p50: row.p50,
    p99: row.p99,
  }));
}

/**
 * Waits until proxy A's traffic window is empty and the controller's count for the window has
 * not moved for SETTLED_AFTER_MS: by then every batch holding a window request has landed.
 */
async function waitForUploads(mesh: RunningMesh, windowStart: number): Promise<void> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  let last = -1;
  let changedAt = Date.now();
  while (Date.now() < deadline) {
    await sleep(UPLOAD_INTERVAL_MS / 2);
    const rows = await byVersion(mesh, windowSecondsSince(windowStart, Date.now()));
    const total = rows.reduce((sum, row) => sum + row.requests, 0);
    const pending = (
      (await (await fetch(`${mesh.adminUrlA}/telemetry`)).json()) as { series: unknown[] }
    ).series.length;
    if (total !== last || pending > 0) {
      last = total;
      changedAt = Date.now();
    } else if (Date.now() - changedAt >= SETTLED_AFTER_MS) {
      return;
    }
  }
  say(`the controller's count was still moving after ${SETTLE_LIMIT_MS} ms; comparing anyway`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
