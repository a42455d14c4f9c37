// The benchmark's command-line flags, parsed and checked before anything is started.

import { parseArgs } from 'node:util';
import { parseDuration } from '@weft/mesh-config';

export const PATH_NAMES = ['direct', 'weft', 'nginx'] as const;
/** The Weft path again with tracing and the access log on: added by --telemetry compare. */
export const WEFT_TELEMETRY = 'weft-telemetry';
export type PathName = (typeof PATH_NAMES)[number] | typeof WEFT_TELEMETRY;
export const TELEMETRY_MODES = ['off', 'on', 'compare'] as const;
export type TelemetryMode = (typeof TELEMETRY_MODES)[number];

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
  /** Whether the Weft sidecars trace and log every request: off, on, or both (compare). */
  readonly telemetry: TelemetryMode;
}

export const USAGE = `usage: npm run bench:mesh-path -- [flags]

  --duration <d>      each measured phase per path (closed loop, open loop); default 15s
  --warmup <d>        load before each measured phase, not recorded; default 3s
  --connections <n>   closed-loop connections (wrk -c); default 32
  --rate <n>          open-loop requests per second; default 1000
  --paths <list>      comma-separated subset of direct,weft,nginx; default all three
  --cpu-prof          start the Weft proxies with node --cpu-prof into bench/results/profiles
  --telemetry <mode>  Weft sidecars with tracing (every request, to a local OTLP sink) and the
                      access log (every request) off (default), on, or compare: both in one
                      run, as columns weft and weft-telemetry with their ratio
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
      telemetry: { type: 'string', default: 'off' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const telemetry = telemetryMode(values.telemetry);
  const paths = pathList(values.paths);
  return {
    durationMs: duration('--duration', values.duration, DEFAULT_DURATION_MS, MIN_PHASE_MS),
    warmupMs: duration('--warmup', values.warmup, DEFAULT_WARMUP_MS, MIN_PHASE_MS),
    connections: positiveInt('--connections', values.connections, DEFAULT_CONNECTIONS),
    ratePerS: positiveInt('--rate', values.rate, DEFAULT_RATE_PER_S),
    // Compared right after the plain Weft path, under the same conditions.
    paths:
      telemetry === 'compare'
        ? paths.flatMap((name): PathName[] => (name === 'weft' ? [name, WEFT_TELEMETRY] : [name]))
        : paths,
    cpuProf: values['cpu-prof'],
    telemetry,
  };
}

function telemetryMode(text: string): TelemetryMode {
  const mode = TELEMETRY_MODES.find((candidate) => candidate === text);
  if (mode === undefined) {
    throw new Error(`--telemetry takes ${TELEMETRY_MODES.join(', ')}, got "${text}"`);
  }
  return mode;
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
