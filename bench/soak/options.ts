// The soak's command-line flags, parsed and checked before anything is started.

import { parseArgs } from 'node:util';
import { parseDuration } from '@weft/mesh-config';

const DEFAULT_DURATION_MS = 30 * 60_000;
/** Upper bound of the rate; the soak uses at most half the capacity it measures. */
const DEFAULT_MAX_RATE = 1_000;
const DEFAULT_SAMPLE_INTERVAL_MS = 10_000;
/** JIT, pools, TLS sessions and V8's heap settle in the first minute. */
const DEFAULT_WARMUP_MS = 60_000;
/** The baseline and the end each span at least this many samples. */
export const SAMPLES_PER_EDGE = 3;

export interface SoakOptions {
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly maxRate: number;
  readonly sampleIntervalMs: number;
}

export const USAGE = `usage: npm run soak -- [flags]

  --duration <d>         how long the load runs, warm-up included; default 30m
  --warmup <d>           load before the baseline sample; default 60s (at most a third of --duration)
  --rate <n>             requests per second at most; the soak uses at most half the capacity
                         it measures first; default 1000
  --sample-interval <d>  how often RSS and open file descriptors are read; default 10s
  --help                 this text`;

export function parseOptions(argv: readonly string[]): SoakOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rate: { type: 'string' },
      'sample-interval': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const durationMs = duration('--duration', values.duration, DEFAULT_DURATION_MS);
  const sampleIntervalMs = duration(
    '--sample-interval',
    values['sample-interval'],
    DEFAULT_SAMPLE_INTERVAL_MS,
  );
  const warmupMs = duration(
    '--warmup',
    values.warmup,
    Math.min(DEFAULT_WARMUP_MS, Math.floor(durationMs / 3)),
  );
  if (durationMs - warmupMs < 2 * SAMPLES_PER_EDGE * sampleIntervalMs) {
    throw new Error(
      `--duration must leave at least ${2 * SAMPLES_PER_EDGE} samples after --warmup ` +
        `(${2 * SAMPLES_PER_EDGE} × --sample-interval)`,
    );
  }
  return {
    durationMs,
    warmupMs,
    maxRate: positiveInt('--rate', values.rate, DEFAULT_MAX_RATE),
    sampleIntervalMs,
  };
}

function duration(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 1_000) {
    throw new Error(`${flag} must be a duration of at least 1s such as 5m, got "${text}"`);
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
