// The soak's command-line flags, parsed and checked before anything is started.

import { parseArgs } from 'node:util';
import { durationFlag, positiveIntFlag } from '../shared/flags.ts';

const DEFAULT_DURATION_MS = 30 * 60_000;
/** Upper bound of the rate; the soak uses at most half the capacity it measures. */
const DEFAULT_MAX_RATE = 1_000;
const DEFAULT_SAMPLE_INTERVAL_MS = 10_000;
/** JIT, pools, TLS sessions and V8's heap settle in the first minute. */
const DEFAULT_WARMUP_MS = 60_000;
/** The baseline and the end each span at least this many samples. */
/** Every duration flag: at least a second. */
const LIMITS = { minMs: 1_000, minText: '1s', example: '5m' };

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
  const durationMs = durationFlag('--duration', values.duration, DEFAULT_DURATION_MS, LIMITS);
  const sampleIntervalMs = durationFlag(
    '--sample-interval',
    values['sample-interval'],
    DEFAULT_SAMPLE_INTERVAL_MS,
    LIMITS,
  );
  const warmupMs = durationFlag(
    '--warmup',
    values.warmup,
    Math.min(DEFAULT_WARMUP_MS, Math.floor(durationMs / 3)),
    LIMITS,
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
    maxRate: positiveIntFlag('--rate', values.rate, DEFAULT_MAX_RATE),
    sampleIntervalMs,
  };
}
