// bench:telemetry-accuracy's command-line flags, parsed and checked before anything starts.

import { parseArgs } from 'node:util';
import { durationFlag, positiveIntFlag } from '../shared/flags.ts';

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
  const duration = durationFlag('--duration', values.duration, DEFAULT_DURATION_MS, {
    minMs: BUCKET_MS,
    example: '30s',
  });
  return {
    durationMs: Math.ceil(duration / BUCKET_MS) * BUCKET_MS,
    warmupMs: durationFlag('--warmup', values.warmup, DEFAULT_WARMUP_MS, {
      minMs: MIN_WARMUP_MS,
      example: '30s',
    }),
    ratePerS: positiveIntFlag('--rate', values.rate, DEFAULT_RATE_PER_S),
    connections: DEFAULT_CONNECTIONS,
  };
}
