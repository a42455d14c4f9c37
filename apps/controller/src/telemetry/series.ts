// Time series for charts: which step a window is drawn at, and every step of the window as a
// point, empty steps included, so a chart has no gaps and no invented interpolation.

import { emptyFigures, type Figures } from '../repositories/telemetry.ts';
import { type Golden, goldenOf } from './golden.ts';
import type { RollupTier } from './tiers.ts';

/** Charts stay readable (and responses small) at this many points or fewer. */
export const MAX_SERIES_POINTS = 120;

export interface SeriesPoint extends Golden {
  /** The step's start, epoch ms. */
  readonly t: number;
}

export interface SeriesSteps {
  readonly stepSeconds: number;
  /** Start of the first step (epoch ms); the last step is the one holding `now`. */
  readonly first: number;
  readonly count: number;
}

/**
 * The finest of the configured rollup `tiers` that still holds the whole window (by default
 * 10 s up to 1 h, 1 min up to 24 h, 10 min beyond), widened by whole tier buckets until the
 * window fits in MAX_SERIES_POINTS.
 */
export function seriesSteps(
  nowMs: number,
  windowSeconds: number,
  tiers: readonly RollupTier[],
): SeriesSteps {
  const tier = tiers.find((t) => windowSeconds * 1_000 <= t.keepMs) ?? tiers[tiers.length - 1];
  const tierSeconds = tier?.seconds ?? windowSeconds;
  const stepSeconds = tierSeconds * Math.ceil(windowSeconds / (tierSeconds * MAX_SERIES_POINTS));
  const stepMs = stepSeconds * 1_000;
  const count = Math.ceil(windowSeconds / stepSeconds);
  const last = Math.floor(nowMs / stepMs) * stepMs;
  return { stepSeconds, first: last - (count - 1) * stepMs, count };
}

/** One point per step; a step without calls is a zero-request point with null rates. */
export function fillSteps(byStep: ReadonlyMap<number, Figures>, steps: SeriesSteps): SeriesPoint[] {
  const stepMs = steps.stepSeconds * 1_000;
  const none = emptyFigures();
  const points: SeriesPoint[] = [];
  for (let i = 0; i < steps.count; i++) {
    const t = steps.first + i * stepMs;
    points.push({ t, ...goldenOf(byStep.get(t) ?? none, steps.stepSeconds) });
  }
  return points;
}
