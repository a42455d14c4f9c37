// The sketch keeps its promise: quantiles within 1% relative error of the exact value, and
// merging in any grouping or order gives the same answer (property tests over random data).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencySketch, RELATIVE_ACCURACY } from '../src/index.ts';

/** Latencies as proxies see them: 0.05 ms to 60 s. */
const latencies = fc.array(fc.double({ min: 0.05, max: 60_000, noNaN: true }), {
  minLength: 1,
  maxLength: 400,
});
const QUANTILES = [0.5, 0.9, 0.99, 0.999];

/** Equal but for floating-point rounding in the sketch's arithmetic. */
function expectSame(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

function sketchOf(values: readonly number[]): LatencySketch {
  const sketch = LatencySketch.empty();
  for (const value of values) sketch.record(value);
  return sketch;
}

/** The lower-rank exact quantile, the definition DDSketch's guarantee is stated against. */
function exactQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

describe('LatencySketch', () => {
  it('answers every quantile within 1% relative error', () => {
    fc.assert(
      fc.property(latencies, (values) => {
        const sketch = sketchOf(values);
        for (const q of QUANTILES) {
          const exact = exactQuantile(values, q);
          expect(Math.abs(sketch.quantile(q) - exact)).toBeLessThanOrEqual(
            exact * RELATIVE_ACCURACY * 1.0001,
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it('merges associatively and commutatively, keeping the bound', () => {
    fc.assert(
      fc.property(latencies, latencies, latencies, (a, b, c) => {
        const left = sketchOf(a);
        const bc = sketchOf(b);
        bc.merge(sketchOf(c));
        left.merge(bc);
        const right = sketchOf(c);
        right.merge(sketchOf(a));
        right.merge(sketchOf(b));
        const all = [...a, ...b, ...c];
        expect(left.count).toBe(all.length);
        expect(right.count).toBe(all.length);
        for (const q of QUANTILES) {
          expectSame(left.quantile(q), right.quantile(q));
          const exact = exactQuantile(all, q);
          expect(Math.abs(left.quantile(q) - exact)).toBeLessThanOrEqual(
            exact * RELATIVE_ACCURACY * 1.0001,
          );
        }
      }),
      { numRuns: 100 },
    );
  });

  it('survives serialization unchanged', () => {
    fc.assert(
      fc.property(latencies, (values) => {
        const sketch = sketchOf(values);
        const copy = LatencySketch.fromBytes(sketch.toBytes());
        expect(copy.count).toBe(sketch.count);
        for (const q of QUANTILES) expectSame(copy.quantile(q), sketch.quantile(q));
      }),
      { numRuns: 100 },
    );
  });

  it('answers NaN, not a guess, for no data', () => {
    expect(LatencySketch.empty().quantile(0.99)).toBeNaN();
  });
});
