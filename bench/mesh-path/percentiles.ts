// Exact percentiles of recorded samples (nearest rank): at the sample counts of a benchmark
// run every value fits in memory, so no histogram rounding is needed.

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Sorts the samples in place. */
export function percentiles(samples: Float64Array): Percentiles {
  samples.sort();
  const at = (fraction: number): number => {
    if (samples.length === 0) return Number.NaN;
    const rank = Math.ceil(fraction * samples.length);
    return samples[Math.min(samples.length, Math.max(1, rank)) - 1] ?? Number.NaN;
  };
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: at(1) };
}
