import { LatencySketch } from '@weft/telemetry';
import { describe, expect, it } from 'vitest';
import type { Figures } from '../repositories/telemetry.ts';
import { fillSteps, MAX_SERIES_POINTS, seriesSteps } from './series.ts';
import { DEFAULT_TIERS, parseTiers } from './tiers.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 7);

function figures(requests: number, errors: number, latencyMs: number): Figures {
  const latency = LatencySketch.empty();
  for (let i = 0; i < requests; i++) latency.record(latencyMs);
  return { requests, errors, latency };
}

describe('seriesSteps', () => {
  it.each([
    [60, 10, 6],
    [900, 10, 90],
    [3_600, 30, 120],
    [3_601, 60, 61],
    [6 * 3_600, 180, 120],
    [86_400, 720, 120],
    [86_401, 1_200, 73],
    [7 * 86_400, 5_400, 112],
  ])('draws a %i s window at %i s steps, %i points', (window, step, count) => {
    const steps = seriesSteps(NOW, window, DEFAULT_TIERS);
    expect(steps.stepSeconds).toBe(step);
    expect(steps.count).toBe(count);
  });

  it('never exceeds the point budget, and its steps are whole tier buckets aligned to the epoch', () => {
    for (let window = 60; window <= 7 * 86_400; window += 997) {
      const steps = seriesSteps(NOW, window, DEFAULT_TIERS);
      expect(steps.count).toBeLessThanOrEqual(MAX_SERIES_POINTS);
      expect(steps.first % (steps.stepSeconds * 1_000)).toBe(0);
      expect([10, 60, 600].some((tier) => steps.stepSeconds % tier === 0)).toBe(true);
      const last = steps.first + (steps.count - 1) * steps.stepSeconds * 1_000;
      expect(last).toBeLessThanOrEqual(NOW);
      expect(last + steps.stepSeconds * 1_000).toBeGreaterThan(NOW);
      expect(NOW - steps.first).toBeGreaterThanOrEqual((window - steps.stepSeconds) * 1_000);
    }
  });
});

describe('seriesSteps with configured tiers', () => {
  const tiers = parseTiers('5s:10m,1m:2h,1h:30d');

  it.each([
    [60, 5, 12],
    [600, 5, 120],
    [601, 60, 11],
    [2 * 3_600, 60, 120],
    [2 * 3_600 + 1, 3_600, 3],
    [7 * 86_400, 7_200, 84],
  ])('draws a %i s window at %i s steps, %i points', (window, step, count) => {
    const steps = seriesSteps(NOW, window, tiers);
    expect(steps.stepSeconds).toBe(step);
    expect(steps.count).toBe(count);
    expect(steps.first % (steps.stepSeconds * 1_000)).toBe(0);
  });
});

describe('fillSteps', () => {
  it('gives every step a point, zero where nothing came, rates and percentiles where calls did', () => {
    const steps = seriesSteps(NOW, 60, DEFAULT_TIERS);
    const busy = steps.first + 20_000;
    const points = fillSteps(new Map([[busy, figures(50, 5, 40)]]), steps);
    expect(points.map((p) => p.t)).toEqual([0, 1, 2, 3, 4, 5].map((i) => steps.first + i * 10_000));
    expect(points[0]).toEqual({
      t: steps.first,
      requests: 0,
      errors: 0,
      requestsPerSecond: 0,
      successRate: null,
      p50: null,
      p90: null,
      p99: null,
    });
    expect(points[2]).toMatchObject({
      t: busy,
      requests: 50,
      requestsPerSecond: 5,
      successRate: 0.9,
    });
    expect(points[2]?.p99).toBeGreaterThanOrEqual(40 * 0.99);
    expect(points[2]?.p99).toBeLessThanOrEqual(40 * 1.01);
  });
});
