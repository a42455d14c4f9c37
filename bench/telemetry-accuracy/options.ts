// bench:telemetry-accuracy's command-line flags, parsed and checked before anything starts.

import { parseArgs } from 'node:util';
import { parseDuration } from '@weft/mesh-config';

/** The controller's finest rollup tier (the default WEFT_TELEMETRY_TIERS): the window's unit. */
export const BUCKET_MS = 10_000;
/** Six buckets: about 6,000 requests per version at the default rate, a whole run under 2 min. */
const DEFAULT_DURATION_MS = 60_000;
const DEFAULT_WARMUP_MS = 5_000;
const DEFAULT_RATE_PER_S = 200;
const MIN_WARMUP_MS = 1_000;
/** Sockets the generator may open to proxy A: enough that a slow v2 answer never delays a send. */
const DEFAULT_CONNECTIONS = 64;

export interface AccuracyOptions {
  /** The measured window, whole rollup buckets. */
  readonly durationMs: number;
  /** Load before the window (JIT, pools, TLS sessions), counted in earlier buckets. */
  readonly warmupMs: number;
  readonly ratePerS: number;
  readonly connections: number;
}

export const USAGE = `usage: npm run bench:telemetry-accuracy -- [flags]

  --duration <d>   the measured window, rounded up to whole 10 s rollup buckets; default 60s
  --warmup <d>     load before the window, not compared; default 5s
  --rate <n>       requests per second, open loop, half to each version; default 200
  --help           this text`;

export function parseOptions(argv: readonly string[]): AccuracyOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rate: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const duration = durationOf('--duration', values.duration, DEFAULT_DURATION_MS, BUCKET_MS);
  return {
    durationMs: Math.ceil(duration / BUCKET_MS) * BUCKET_MS,
    warmupMs: durationOf('--warmup', values.warmup, DEFAULT_WARMUP_MS, MIN_WARMUP_MS),
    ratePerS: positiveInt('--rate', values.rate, DEFAULT_RATE_PER_S),
    connections: DEFAULT_CONNECTIONS,
  };
}

function durationOf(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms < min) {
    throw new Error(`${flag} must be a duration of at least ${min} ms such as 30s, got "${text}"`);
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
