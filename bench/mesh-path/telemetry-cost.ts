// What telemetry costs, measured closer than this machine drifts: the Weft variants run side by
// side (each its own pair of proxies) and take turns under the same closed-loop load in short
// windows, many cycles over, each cycle in a rotated order. Each variant's throughput and CPU
// per request are summed over its windows, and its ratio to the variant that records nothing is
// the median of the per-cycle ratios: a slow minute of the machine lands on every variant alike.

import type { PathName } from './options.ts';
import type { PathUnderTest } from './path.ts';
import { cpuMicros } from './proc-stats.ts';
import type { Supervisor } from './supervisor.ts';
import { runWrk } from './wrk.ts';

/** One variant's closed-loop throughput over the baseline's, per cycle, and their median. */
export interface PairedRatio {
  readonly perCycle: readonly number[];
  readonly median: number;
}

export interface TurnsOptions {
  readonly supervisor: Supervisor;
  readonly wrk: string;
  readonly connections: number;
  readonly cycles: number;
  readonly windowMs: number;
  readonly say: (line: string) => void;
}

export interface VariantTotals {
  readonly requestsPerSecond: number;
  /** By sidecar label (A, B). */
  readonly cpuUsPerRequest: Readonly<Record<string, number>>;
}

export interface TurnsResult {
  readonly cycles: number;
  readonly windowMs: number;
  readonly variants: Readonly<Partial<Record<PathName, VariantTotals>>>;
  /** Each variant's closed-loop throughput over the baseline's, per cycle and their median. */
  readonly throughputVsBaseline: Readonly<Partial<Record<PathName, PairedRatio>>>;
}

interface Tally {
  requests: number;
  seconds: number;
  readonly cpuUs: Record<string, number>;
}

/** `paths[0]` is the baseline the others are compared with. */
export async function measureInTurns(
  paths: readonly PathUnderTest[],
  options: TurnsOptions,
): Promise<TurnsResult> {
  const tallies = new Map<PathName, Tally>(
    paths.map((path) => [path.name, { requests: 0, seconds: 0, cpuUs: {} }]),
  );
  const perCycle: Map<PathName, number>[] = [];
  for (let cycle = 0; cycle < options.cycles; cycle++) {
    options.say(`telemetry cost: cycle ${cycle + 1} of ${options.cycles}`);
    const rates = new Map<PathName, number>();
    const offset = cycle % paths.length;
    for (const path of [...paths.slice(offset), ...paths.slice(0, offset)]) {
      const before = path.sidecars.map((sidecar) => cpuMicros(sidecar.pids()));
      const load = await runWrk(
        options.supervisor,
        `wrk-turns-${path.name}-${cycle}`,
        options.wrk,
        {
          url: path.url,
          connections: options.connections,
          durationMs: options.windowMs,
        },
      );
      const tally = tallies.get(path.name) as Tally;
      tally.requests += load.requests;
      tally.seconds += load.seconds;
      path.sidecars.forEach((sidecar, index) => {
        const used = cpuMicros(sidecar.pids()) - (before[index] ?? 0);
        tally.cpuUs[sidecar.label] = (tally.cpuUs[sidecar.label] ?? 0) + used;
      });
      rates.set(path.name, load.requestsPerSecond);
    }
    perCycle.push(rates);
  }

  const variants: Partial<Record<PathName, VariantTotals>> = {};
  for (const [name, tally] of tallies) {
    variants[name] = {
      requestsPerSecond: tally.requests / tally.seconds,
      cpuUsPerRequest: Object.fromEntries(
        Object.entries(tally.cpuUs).map(([label, us]) => [label, us / tally.requests]),
      ),
    };
  }
  const baseline = paths[0]?.name;
  const throughputVsBaseline: Partial<Record<PathName, PairedRatio>> = {};
  for (const path of paths.slice(1)) {
    const ratios = perCycle.flatMap((rates) => {
      const over = rates.get(path.name);
      const under = baseline === undefined ? undefined : rates.get(baseline);
      return over === undefined || under === undefined ? [] : [over / under];
    });
    throughputVsBaseline[path.name] = { perCycle: ratios, median: median(ratios) };
  }
  return { cycles: options.cycles, windowMs: options.windowMs, variants, throughputVsBaseline };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
