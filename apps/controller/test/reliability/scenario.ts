// What every reliability scenario shares: its settings from the environment (rate, durations,
// which proxy build), the load rate chosen from the capacity measured in its own mesh, and the
// record of its figures (printed, and written to bench/results/reliability/<scenario>.json).

import { readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../mesh-helpers.ts';
import { PROXY_BUNDLE, PROXY_SOURCE_BIN, type ReliabilityMesh } from './mesh.ts';
import { type LoadReport, measureCapacity } from './open-loop.ts';

/** The open-loop rate when the path can take twice as much (a shared 2-core CI machine can). */
const DEFAULT_RATE = 1_000;
/** The controller's down time in `npm test`; the long run (WEFT_RELIABILITY_LONG=1) takes 60 s. */
const SHORT_CONTROLLER_STOP_S = 10;
const LONG_CONTROLLER_STOP_S = 60;
/** How long the load runs on after a fault, in `npm test` and in the long run. */
const SHORT_HOLD_S = 8;
const LONG_HOLD_S = 60;

export interface ReliabilitySettings {
  /** Upper bound of the open-loop rate; the test uses at most half the measured capacity. */
  readonly maxRate: number;
  /** WEFT_RELIABILITY_LONG=1: the full durations. */
  readonly long: boolean;
  readonly controllerStopS: number;
  /** Seconds of load after a fault (a killed instance, a slow upstream) before it is judged. */
  readonly holdS: number;
  readonly proxyBin: string;
}

export function reliabilitySettings(env: NodeJS.ProcessEnv = process.env): ReliabilitySettings {
  const long = env.WEFT_RELIABILITY_LONG === '1';
  const number = (name: string, fallback: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!(value > 0)) throw new RangeError(`${name} must be a positive number, got "${text}"`);
    return value;
  };
  return {
    maxRate: number('WEFT_RELIABILITY_RATE', DEFAULT_RATE),
    long,
    controllerStopS: number(
      'WEFT_RELIABILITY_CONTROLLER_STOP_S',
      long ? LONG_CONTROLLER_STOP_S : SHORT_CONTROLLER_STOP_S,
    ),
    holdS: number('WEFT_RELIABILITY_HOLD_S', long ? LONG_HOLD_S : SHORT_HOLD_S),
    proxyBin:
      env.WEFT_RELIABILITY_PROXY_BIN ?? (bundleIsCurrent() ? PROXY_BUNDLE : PROXY_SOURCE_BIN),
  };
}

/** Sources the proxy bundle is built from (apps/proxy/scripts/bundle.ts). */
const BUNDLED_SOURCES = [
  'apps/proxy/src',
  'packages/mesh-config/src',
  'packages/pki/src',
  'packages/telemetry/src',
];

/**
 * Whether the production bundle exists and is newer than every source it is built from (turbo
 * builds it before the controller's tests). The bundle is what production runs, and it starts
 * in a fraction of the CPU the sources take through tsx, which a restart under load otherwise
 * pays; a stale one would test code that is no longer there, so then the sources run.
 */
function bundleIsCurrent(): boolean {
  let built: number;
  try {
    built = statSync(PROXY_BUNDLE).mtimeMs;
  } catch {
    return false;
  }
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      const time = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
      return Math.max(latest, time);
    }, 0);
  return BUNDLED_SOURCES.every((dir) => newest(join(ROOT, dir)) <= built);
}

export interface ChosenRate {
  /** Closed-loop 200s per second through the client proxy, measured in this mesh. */
  readonly capacity: number;
  /** The open-loop rate: a share of the capacity (half by default), at most the maximum. */
  readonly rate: number;
}

/** Half the capacity: what the issue asks of every scenario unless it says why not. */
const DEFAULT_SHARE_OF_CAPACITY = 0.5;

export async function chooseRate(
  mesh: ReliabilityMesh,
  settings: ReliabilitySettings,
  shareOfCapacity = DEFAULT_SHARE_OF_CAPACITY,
): Promise<ChosenRate> {
  const capacity = await measureCapacity(mesh.url);
  const rate = Math.floor(Math.min(settings.maxRate, capacity * shareOfCapacity));
  return { capacity, rate: Math.max(1, rate) };
}

/** Prints the scenario's figures and keeps them as JSON for docs/reliability.md. */
export async function recordResult(
  scenario: string,
  figures: { chosen: ChosenRate; load: LoadReport } & Record<string, unknown>,
): Promise<void> {
  const record = {
    scenario,
    at: new Date().toISOString(),
    cores: availableParallelism(),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    ...figures,
  };
  const { load, chosen } = figures;
  process.stdout.write(
    `[reliability] ${scenario}: ${load.failed}/${load.sent} failed at ${chosen.rate} req/s ` +
      `(capacity ${chosen.capacity} req/s) over ${load.seconds} s; p99 ${load.latencyMs.p99} ms, ` +
      `max ${load.latencyMs.max} ms; failures ${JSON.stringify(load.failures)}\n`,
  );
  const dir = join(ROOT, 'bench/results/reliability');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${scenario}.json`), `${JSON.stringify(record, null, 2)}\n`);
}
