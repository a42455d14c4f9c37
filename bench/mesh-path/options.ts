// The benchmark's command-line flags, parsed and checked before anything is started.

import { parseArgs } from 'node:util';
import { durationFlag, positiveIntFlag } from '../shared/flags.ts';

export const PATH_NAMES = ['direct', 'node-bare', 'weft', 'nginx'] as const;
/** The Weft path with request telemetry off (nothing recorded): added by --telemetry compare. */
export const WEFT_NO_TELEMETRY = 'weft-no-telemetry';
/** The Weft path tracing to a collector at the default sample ratio: added by --telemetry compare. */
export const WEFT_TRACED = 'weft-traced';
/** The Weft path with every request traced and logged: added by --telemetry compare. */
export const WEFT_TELEMETRY = 'weft-telemetry';
export type WeftVariant =
  | 'weft'
  | typeof WEFT_NO_TELEMETRY
  | typeof WEFT_TRACED
  | typeof WEFT_TELEMETRY;
export type PathName = (typeof PATH_NAMES)[number] | WeftVariant;
export const TELEMETRY_MODES = ['off', 'on', 'compare'] as const;
export type TelemetryMode = (typeof TELEMETRY_MODES)[number];

/** Each measured phase (closed loop, then open loop) runs this long per path. */
const DEFAULT_DURATION_MS = 15_000;
/** JIT, connection pools and TLS sessions settle within a few seconds of load. */
const DEFAULT_WARMUP_MS = 3_000;
const DEFAULT_CONNECTIONS = 32;
const DEFAULT_RATE_PER_S = 1_000;
/** wrk counts whole seconds. */
const PHASE_LIMITS = { minMs: 1_000, example: '10s' };

export interface BenchOptions {
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly connections: number;
  readonly ratePerS: number;
  readonly paths: readonly PathName[];
  /** Every path measured this many times; each figure reported from its path's median round. */
  readonly rounds: number;
  readonly cpuProf: boolean;
  /** The Weft sidecars as shipped (off), tracing and logging every request (on), or compare. */
  readonly telemetry: TelemetryMode;
}

export const USAGE = `usage: npm run bench:mesh-path -- [flags]

  --duration <d>      each measured phase per path (closed loop, open loop); default 15s
  --warmup <d>        load before each measured phase, not recorded; default 3s
  --connections <n>   closed-loop connections (wrk -c); default 32
  --rate <n>          open-loop requests per second; default 1000
  --paths <list>      comma-separated subset of direct,node-bare,weft,nginx; default all four
  --rounds <n>        measure every path n times, odd rounds in reverse order; each path's
                      figures come from its median round (by closed-loop req/s), ratios between
                      Weft variants are the median of per-round ratios; default 1
  --cpu-prof          start the Weft proxies with node --cpu-prof into bench/results/profiles
  --telemetry <mode>  off (default): the Weft sidecars as shipped (request metrics and the
                      traffic window; no tracing, no access log); on: also every request traced
                      (to a local OTLP sink) and logged; compare: four Weft columns in one run,
                      weft-no-telemetry (request telemetry off), weft, weft-traced (tracing to
                      the sink at the default 1% sampling), weft-telemetry (on), with ratios to
                      weft-no-telemetry
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
      rounds: { type: 'string' },
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
    durationMs: durationFlag('--duration', values.duration, DEFAULT_DURATION_MS, PHASE_LIMITS),
    warmupMs: durationFlag('--warmup', values.warmup, DEFAULT_WARMUP_MS, PHASE_LIMITS),
    connections: positiveIntFlag('--connections', values.connections, DEFAULT_CONNECTIONS),
    ratePerS: positiveIntFlag('--rate', values.rate, DEFAULT_RATE_PER_S),
    // Measured back to back, under the same conditions.
    paths:
      telemetry === 'compare'
        ? paths.flatMap((name): PathName[] =>
            name === 'weft' ? [WEFT_NO_TELEMETRY, name, WEFT_TRACED, WEFT_TELEMETRY] : [name],
          )
        : paths,
    rounds: positiveIntFlag('--rounds', values.rounds, 1),
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
