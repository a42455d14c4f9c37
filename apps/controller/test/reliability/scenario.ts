// What every reliability scenario shares: its settings from the environment (rate, durations,
// which proxy build), the load rate chosen from the capacity measured in its own mesh, and the
// record of its figures (printed, and written to bench/results/reliability/<scenario>.json).

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
  /** WEFT_RELIABILITY_LONG=1: the full durations, and the proxy bundle. */
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
    proxyBin: env.WEFT_RELIABILITY_PROXY_BIN ?? (long ? PROXY_BUNDLE : PROXY_SOURCE_BIN),
  };
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
