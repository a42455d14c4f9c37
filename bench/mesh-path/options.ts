// The benchmark's command-line flags, parsed and checked before anything is started.

import { parseArgs } from 'node:util';
import { parseDuration } from '@weft/mesh-config';

export const PATH_NAMES = ['direct', 'weft', 'nginx'] as const;
export type PathName = (typeof PATH_NAMES)[number];

/** Each measured phase (closed loop, then open loop) runs this long per path. */
const DEFAULT_DURATION_MS = 15_000;
/** JIT, connection pools and TLS sessions settle within a few seconds of load. */
const DEFAULT_WARMUP_MS = 3_000;
const DEFAULT_CONNECTIONS = 32;
const DEFAULT_RATE_PER_S = 1_000;
/** wrk counts whole seconds. */
const MIN_PHASE_MS = 1_000;

export interface BenchOptions {
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly connections: number;
  readonly ratePerS: number;
  readonly paths: readonly PathName[];
  readonly cpuProf: boolean;
}

export const USAGE = `usage: npm run bench:mesh-path -- [flags]

  --duration <d>      each measured phase per path (closed loop, open loop); default 15s
  --warmup <d>        load before each measured phase, not recorded; default 3s
  --connections <n>   closed-loop connections (wrk -c); default 32
  --rate <n>          open-loop requests per second; default 1000
  --paths <list>      comma-separated subset of direct,weft,nginx; default all three
  --cpu-prof          start the Weft proxies with node --cpu-prof into bench/results/profiles
  --help              this text`;

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      paths: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  return {
    durationMs: duration('--duration', values.duration, DEFAULT_DURATION_MS, MIN_PHASE_MS),
    warmupMs: duration('--warmup', values.warmup, DEFAULT_WARMUP_MS, MIN_PHASE_MS),
    connections: positiveInt('--connections', values.connections, DEFAULT_CONNECTIONS),
    ratePerS: positiveInt('--rate', values.rate, DEFAULT_RATE_PER_S),
    paths: pathList(values.paths),
    cpuProf: values['cpu-prof'],
  };
}

function duration(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms < min) {
    throw new Error(`${flag} must be a duration of at least ${min} ms such as 10s, got "${text}"`);
  }
  return ms;
}

function positiveInt(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${flag} must be a positive integer, got "${text}"`);
  }
  return value;
}

function pathList(text: string | undefined): readonly PathName[] {
  if (text === undefined) return PATH_NAMES;
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(PATH_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`--paths takes names from ${PATH_NAMES.join(',')}, got "${text}"`);
  }
  // Always in the canonical order, so direct is measured first as the baseline.
  return PATH_NAMES.filter((name) => names.includes(name));
}
