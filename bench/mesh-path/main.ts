// bench:mesh-path: the data path measured three ways in one run (direct to the service,
// through two Weft proxies, through two nginx sidecars), with the same load generators,
// printed with ratios and the targets' verdicts, and written to bench/results/mesh-path.json.

import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchPki, createBenchPki } from './certificates.ts';
import { LOOPBACK } from './free-ports.ts';
import { type MeasureContext, measurePath } from './measure-path.ts';
import { startNginxPath, TRAVERSABLE } from './nginx-path.ts';
import { startNodeBarePath } from './node-bare-path.ts';
import {
  type BenchOptions,
  type PathName,
  parseOptions,
  USAGE,
  WEFT_NO_TELEMETRY,
  WEFT_TELEMETRY,
  WEFT_TRACED,
} from './options.ts';
import type { PathUnderTest } from './path.ts';
import { formatReport } from './report.ts';
import { medianRounds, roundOrder } from './rounds.ts';
import { firstJsonLine, startScript } from './run-script.ts';
import { Supervisor, stop } from './supervisor.ts';
import { ensureTools, type Tool } from './system-tools.ts';
import { type Results, verdicts } from './targets.ts';
import { measureInTurns, type TurnsResult } from './telemetry-cost.ts';
import type { WeftTelemetry } from './weft-mesh.ts';
import { startWeftPath } from './weft-path.ts';
import { runWrk } from './wrk.ts';

/** Installing tools, making certificates, starting the service. */
const SETUP_BUDGET_MS = 300_000;
/** Starting a path's processes, and the slack around each phase. */
const PATH_OVERHEAD_MS = 60_000;
const SERVICE_START_TIMEOUT_MS = 15_000;
/** With all telemetry on, access log lines are written (the cost) and thrown away (no disk fills). */
const DISCARDED_ACCESS_LOG = '/dev/null';
const EXIT_INTERRUPTED = 130;
/** Recording nothing first: the baseline of the telemetry cost. */
const TELEMETRY_VARIANTS = [WEFT_NO_TELEMETRY, 'weft', WEFT_TRACED, WEFT_TELEMETRY] as const;
/** Turns per variant, and each turn's closed-loop window (wrk counts whole seconds). */
const TURN_CYCLES = 8;
const TURN_WINDOW_MS = 3_000;
const EXIT_TERMINATED = 143;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = join(repoRoot, 'bench', 'results');

const say = (line: string) => process.stderr.write(`[mesh-path] ${line}\n`);

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parsed;
  const logDir = join(resultsDir, 'logs');
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
    SETUP_BUDGET_MS +
    options.rounds *
      options.paths.length *
      (2 * options.warmupMs + 2 * options.durationMs + PATH_OVERHEAD_MS);
  setTimeout(
    () => void shutdown(1, `time budget of ${budgetMs} ms exceeded; stopping`),
    budgetMs,
  ).unref();
  try {
    return await run(options, supervisor, logDir);
  } finally {
    await supervisor.stopAll();
  }
}

async function run(options: BenchOptions, supervisor: Supervisor, logDir: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-mesh-path-'));
  supervisor.ownFolder(dir);
  // nginx's workers (unprivileged when the bench runs as root) pass through it to their prefixes.
  await chmod(dir, TRAVERSABLE);
  const tools = await ensureTools(
    { wrk: 'wrk', ...(options.paths.includes('nginx') ? { nginx: 'nginx' } : {}) },
    say,
  );
  const wrk = tools.wrk;
  if (wrk === undefined || 'missing' in wrk) {
    throw new Error(wrk?.missing ?? 'wrk is required for the closed-loop load');
  }
  const skipped: Record<string, string> = {};
  const nginx = tools.nginx;
  if (nginx !== undefined && 'missing' in nginx) skipped.nginx = nginx.missing;

  const service = startScript(supervisor, 'upstream-service', 'upstream-service.ts');
  const { port: servicePort } = (await firstJsonLine(service, SERVICE_START_TIMEOUT_MS)) as {
    port: number;
  };
  const bench = await createBenchPki(dir);
  const traced = options.paths.some((name) => {
    const mode = weftTelemetryMode(name, options);
    return mode === 'all' || mode === 'traced';
  });
  const sink = traced ? startScript(supervisor, 'otlp-sink', 'otlp-sink.ts') : undefined;
  const sinkPort =
    sink === undefined
      ? undefined
      : ((await firstJsonLine(sink, SERVICE_START_TIMEOUT_MS)) as { port: number }).port;
  const otlpEndpoint = sinkPort === undefined ? undefined : `http://${LOOPBACK}:${sinkPort}`;
  const context: MeasureContext = { supervisor, wrk: wrk.path, service, options, say };
  const startParams: StartParams = {
    supervisor,
    dir,
    bench,
    servicePort,
    options,
    nginx,
    otlpEndpoint,
  };
  /** Starts, measures and stops one path; returns what failed, if anything did. */
  const runPath = async (
    name: PathName,
    round: number,
    results: Results,
  ): Promise<string | undefined> => {
    let path: PathUnderTest | undefined;
    try {
      say(`${name}: starting`);
      // Each round's sidecars get folders of their own: nginx refuses to reuse a prefix.
      const roundDir = join(dir, `round-${round + 1}`);
      await mkdir(roundDir, { recursive: true });
      path = await startPath(name, { ...startParams, dir: roundDir });
      results[name] = await measurePath(path, context);
      await path.saveDiagnostics?.(logDir);
      return undefined;
    } catch (error) {
      const message = `${name}: ${(error as Error).message}`;
      say(message);
      return message;
    } finally {
      // Idle sidecars of a finished path must not take CPU from the next one.
      await Promise.all((path?.sidecars ?? []).map((sidecar) => stop(sidecar.child.process)));
    }
  };
  const rounds: Results[] = [];
  const failures: string[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (options.rounds > 1) say(`round ${round + 1} of ${options.rounds}`);
    const results: Results = {};
    rounds.push(results);
    for (const name of roundOrder(options.paths, round)) {
      if (supervisor.isStopping()) break;
      if (skipped[name] !== undefined) continue;
      const failure = await runPath(name, round, results);
      if (failure !== undefined) failures.push(failure);
    }
  }

  let telemetryCost: TurnsResult | undefined;
  if (options.telemetry === 'compare' && !supervisor.isStopping()) {
    try {
      telemetryCost = await measureTelemetryCost(startParams, context);
    } catch (error) {
      const message = `telemetry cost: ${(error as Error).message}`;
      failures.push(message);
      say(message);
    }
  }

  // Interrupted or out of time: the shutdown in progress decides the exit, and half a run
  // must not be written as a result.
  if (supervisor.isStopping()) return 1;
  const results = medianRounds(rounds);
  const list = verdicts(results, telemetryCost);
  process.stdout.write(`${formatReport(options, results, skipped, list, telemetryCost)}\n`);

  for (const failure of failures) process.stdout.write(`\nFAILED ${failure}\n`);
  const file = join(resultsDir, 'mesh-path.json');
  await writeFile(
    file,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, kernel: release() },
        tools: { node: process.version, wrk: wrk.version, nginx: toolVersion(nginx) },
        options,
        paths: results,
        rounds,
        ...(telemetryCost === undefined ? {} : { telemetryCost }),
        verdicts: list,
        skipped,
        failures,
      },
      null,
      2,
    )}\n`,
  );
  say(`results written to ${file}; process logs and counters in ${logDir}`);
  return failures.length === 0 ? 0 : 1;
}

interface StartParams {
  readonly supervisor: Supervisor;
  readonly dir: string;
  readonly bench: BenchPki;
  readonly servicePort: number;
  readonly options: BenchOptions;
  readonly nginx: Tool | { missing: string } | undefined;
  /** The local OTLP sink, when some Weft path runs with telemetry on. */
  readonly otlpEndpoint: string | undefined;
}

async function startPath(name: PathName, params: StartParams): Promise<PathUnderTest> {
  switch (name) {
    case 'direct':
      return { name, url: `http://${LOOPBACK}:${params.servicePort}/`, sidecars: [] };
    case 'node-bare':
      return startNodeBarePath(params);
    case 'weft':
    case WEFT_NO_TELEMETRY:
    case WEFT_TRACED:
    case WEFT_TELEMETRY: {
      const mode = weftTelemetryMode(name, params.options);
      let telemetry: WeftTelemetry = { mode: 'default' };
      if (mode === 'none') telemetry = { mode };
      if (mode === 'traced' || mode === 'all') {
        const { otlpEndpoint } = params;
        if (otlpEndpoint === undefined) throw new Error('no OTLP sink was started');
        telemetry =
          mode === 'traced'
            ? { mode, otlpEndpoint }
            : { mode, otlpEndpoint, accessLogPath: DISCARDED_ACCESS_LOG };
      }
      return startWeftPath({
        ...params,
        name,
        repoRoot,
        cpuProfDir: params.options.cpuProf ? join(resultsDir, 'profiles') : undefined,
        telemetry,
      });
    }
    case 'nginx':
      if (params.nginx === undefined || 'missing' in params.nginx) {
        throw new Error('nginx is not available');
      }
      return startNginxPath({ ...params, nginx: params.nginx.path });
  }
}

/** The Weft variants side by side, taking turns under load (telemetry-cost.ts). */
async function measureTelemetryCost(
  params: StartParams,
  context: MeasureContext,
): Promise<TurnsResult> {
  const turnsDir = join(params.dir, 'turns');
  await mkdir(turnsDir);
  const paths: PathUnderTest[] = [];
  try {
    for (const name of TELEMETRY_VARIANTS) {
      context.say(`telemetry cost: starting ${name}`);
      const path = await startPath(name, { ...params, dir: turnsDir });
      paths.push(path);
      await runWrk(params.supervisor, `wrk-turns-${name}-warmup`, context.wrk, {
        url: path.url,
        connections: params.options.connections,
        durationMs: params.options.warmupMs,
      });
    }
    return await measureInTurns(paths, {
      supervisor: params.supervisor,
      wrk: context.wrk,
      connections: params.options.connections,
      cycles: TURN_CYCLES,
      windowMs: TURN_WINDOW_MS,
      say: context.say,
    });
  } finally {
    await Promise.all(
      paths.flatMap((path) => path.sidecars.map((sidecar) => stop(sidecar.child.process))),
    );
  }
}

/** What a Weft variant records per request; --telemetry on turns everything on for plain weft. */
function weftTelemetryMode(
  name: PathName,
  options: BenchOptions,
): WeftTelemetry['mode'] | undefined {
  if (name === WEFT_NO_TELEMETRY) return 'none';
  if (name === WEFT_TRACED) return 'traced';
  if (name === WEFT_TELEMETRY || (name === 'weft' && options.telemetry === 'on')) return 'all';
  return name === 'weft' ? 'default' : undefined;
}

function toolVersion(tool: Tool | { missing: string } | undefined): string | undefined {
  return tool === undefined || 'missing' in tool ? undefined : tool.version;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
