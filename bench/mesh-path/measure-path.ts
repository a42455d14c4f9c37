// Measures one path: a closed-loop warm-up, the closed-loop phase (throughput), then the
// open-loop phase (latency at a fixed rate), sampling each sidecar's CPU, memory and TLS
// handshakes around each measured window.

import type { OpenLoopResult } from './open-loop-run.ts';
import { runOpenLoop } from './open-loop-run.ts';
import type { BenchOptions } from './options.ts';
import type { Handshakes, PathUnderTest } from './path.ts';
import { cpuMicros, memory } from './proc-stats.ts';
import type { Child, Supervisor } from './supervisor.ts';
import { type ClosedLoopResult, runWrk } from './wrk.ts';

const RSS_SAMPLE_INTERVAL_MS = 250;
const BYTES_PER_MB = 1_048_576;
const MS_PER_S = 1_000;
const US_PER_S = 1_000_000;
const REQUESTS_PER_HANDSHAKE_UNIT = 10_000;

export interface ProcessUse {
  readonly cpuUsPerRequest: number;
  /** CPU time over wall time: 1 is one core kept busy. */
  readonly cores: number;
}

export interface PhaseMeasurement {
  readonly requests: number;
  readonly seconds: number;
  /** By sidecar label ("A", "B"); RSS is the largest sampled during the phase. */
  readonly sidecars: Readonly<Record<string, ProcessUse & { readonly rssMb: number }>>;
  readonly service: ProcessUse;
  readonly handshakes: Handshakes | undefined;
}

export interface PathResult {
  readonly name: PathUnderTest['name'];
  readonly closed: { readonly load: ClosedLoopResult; readonly measured: PhaseMeasurement };
  readonly open: { readonly load: OpenLoopResult; readonly measured: PhaseMeasurement };
  /** VmHWM at the end of the run, by sidecar label. */
  readonly peakRssMb: Readonly<Record<string, number>>;
  /** Over both measured phases; warm-up excluded. */
  readonly handshakesPer10k: Handshakes | undefined;
  /** Since the sidecars started, warm-up included: shows the counting works. */
  readonly handshakesSinceStart: Handshakes | undefined;
}

export interface MeasureContext {
  readonly supervisor: Supervisor;
  readonly wrk: string;
  readonly service: Child;
  readonly options: BenchOptions;
  readonly say: (line: string) => void;
}

interface Sample {
  readonly atMs: number;
  readonly cpuUs: Readonly<Record<string, number>>;
  readonly serviceCpuUs: number;
  readonly handshakes: Handshakes | undefined;
}

export async function measurePath(path: PathUnderTest, ctx: MeasureContext): Promise<PathResult> {
  const { supervisor, wrk, options, say } = ctx;
  const load = { url: path.url, connections: options.connections };
  say(`${path.name}: warm-up, closed loop ${options.warmupMs} ms`);
  await runWrk(supervisor, `wrk-${path.name}-warmup`, wrk, {
    ...load,
    durationMs: options.warmupMs,
  });
  assertAlive(path, ctx.service);

  say(`${path.name}: closed loop, ${options.connections} connections, ${options.durationMs} ms`);
  let rss = startRssSampler(path);
  const closedBefore = await sample(path, ctx.service);
  const closedLoad = await runWrk(supervisor, `wrk-${path.name}`, wrk, {
    ...load,
    durationMs: options.durationMs,
  });
  const closed = measured(closedBefore, await sample(path, ctx.service), closedLoad.requests, rss);
  assertAlive(path, ctx.service);

  say(`${path.name}: open loop, ${options.ratePerS} req/s, ${options.durationMs} ms`);
  let openBefore: Sample | undefined;
  let openAfter: Sample | undefined;
  const openLoad = await runOpenLoop(
    supervisor,
    `open-loop-${path.name}`,
    {
      ...load,
      ratePerS: options.ratePerS,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
    },
    {
      onStart: async () => {
        rss = startRssSampler(path);
        openBefore = await sample(path, ctx.service);
      },
      onStop: async () => {
        openAfter = await sample(path, ctx.service);
      },
    },
  );
  if (openBefore === undefined || openAfter === undefined) {
    throw new Error(`${path.name}: the open-loop generator never reported its window`);
  }
  const open = measured(openBefore, openAfter, openLoad.sent, rss);
  assertAlive(path, ctx.service);

  const peakRssMb: Record<string, number> = {};
  for (const sidecar of path.sidecars) {
    peakRssMb[sidecar.label] = memory(sidecar.pids()).peakRssBytes / BYTES_PER_MB;
  }
  return {
    name: path.name,
    closed: { load: closedLoad, measured: closed },
    open: { load: openLoad, measured: open },
    peakRssMb,
    handshakesPer10k: per10k(closed, open),
    handshakesSinceStart: openAfter.handshakes,
  };
}

async function sample(path: PathUnderTest, service: Child): Promise<Sample> {
  const cpuUs: Record<string, number> = {};
  for (const sidecar of path.sidecars) cpuUs[sidecar.label] = cpuMicros(sidecar.pids());
  return {
    atMs: performance.now(),
    cpuUs,
    serviceCpuUs: cpuMicros(service.process.pid === undefined ? [] : [service.process.pid]),
    handshakes: path.handshakes === undefined ? undefined : await path.handshakes(),
  };
}

interface RssSampler {
  stop(): Record<string, number>;
}

function startRssSampler(path: PathUnderTest): RssSampler {
  const largest: Record<string, number> = {};
  const read = () => {
    for (const sidecar of path.sidecars) {
      const mb = memory(sidecar.pids()).rssBytes / BYTES_PER_MB;
      largest[sidecar.label] = Math.max(largest[sidecar.label] ?? 0, mb);
    }
  };
  read();
  const timer = setInterval(read, RSS_SAMPLE_INTERVAL_MS);
  return {
    stop: () => {
      clearInterval(timer);
      read();
      return largest;
    },
  };
}

function measured(
  before: Sample,
  after: Sample,
  requests: number,
  rss: RssSampler,
): PhaseMeasurement {
  const rssMb = rss.stop();
  const seconds = (after.atMs - before.atMs) / MS_PER_S;
  const use = (cpuUs: number): ProcessUse => ({
    cpuUsPerRequest: requests > 0 ? cpuUs / requests : Number.NaN,
    cores: cpuUs / (seconds * US_PER_S),
  });
  const sidecars: Record<string, ProcessUse & { rssMb: number }> = {};
  for (const [label, cpu] of Object.entries(after.cpuUs)) {
    sidecars[label] = { ...use(cpu - (before.cpuUs[label] ?? 0)), rssMb: rssMb[label] ?? 0 };
  }
  return {
    requests,
    seconds,
    sidecars,
    service: use(after.serviceCpuUs - before.serviceCpuUs),
    handshakes:
      before.handshakes === undefined || after.handshakes === undefined
        ? undefined
        : {
            full: after.handshakes.full - before.handshakes.full,
            resumed: after.handshakes.resumed - before.handshakes.resumed,
          },
  };
}

function per10k(...phases: readonly PhaseMeasurement[]): Handshakes | undefined {
  const requests = phases.reduce((sum, phase) => sum + phase.requests, 0);
  let full = 0;
  let resumed = 0;
  for (const phase of phases) {
    if (phase.handshakes === undefined || requests === 0) return undefined;
    full += phase.handshakes.full;
    resumed += phase.handshakes.resumed;
  }
  return {
    full: (full / requests) * REQUESTS_PER_HANDSHAKE_UNIT,
    resumed: (resumed / requests) * REQUESTS_PER_HANDSHAKE_UNIT,
  };
}

function assertAlive(path: PathUnderTest, service: Child): void {
  for (const child of [...path.sidecars.map((sidecar) => sidecar.child), service]) {
    if (!child.alive()) {
      throw new Error(
        `${path.name}: ${child.label} exited (code ${child.process.exitCode}, signal ${child.process.signalCode}):\n${child.logTail()}`,
      );
    }
  }
}
