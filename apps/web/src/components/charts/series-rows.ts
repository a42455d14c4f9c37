// Turns the API's per-version series into chart rows: one row per instant, one column per version.

import type { RouterOutputs } from '~/trpc/types';
import type { ChartRow } from './time-series-chart';

type Series = RouterOutputs['telemetry']['series'];
type Point = Series['total'][number];
export type Measure = 'requestsPerSecond' | 'successRate' | 'p50' | 'p90' | 'p99';

/** One column per version of the chosen measure. */
export function rowsByVersion(series: Series, measure: Measure): ChartRow[] {
  const rows = new Map<number, Record<string, number | null>>();
  for (const { version, points } of series.versions) {
    for (const point of points) {
      const row = rows.get(point.t) ?? { t: point.t };
      row[version] = measureOf(point, measure);
      rows.set(point.t, row);
    }
  }
  return [...rows.values()].sort((a, b) => (a.t ?? 0) - (b.t ?? 0)) as ChartRow[];
}

/** One column per measure, over all versions together. */
export function rowsOfTotal(series: Series, measures: readonly Measure[]): ChartRow[] {
  return series.total.map((point) => {
    const row: Record<string, number | null> = { t: point.t };
    for (const measure of measures) row[measure] = measureOf(point, measure);
    return row as ChartRow;
  });
}

/** Percentiles and success rate mean nothing without requests: a gap, not a zero. */
function measureOf(point: Point, measure: Measure): number | null {
  if (measure === 'requestsPerSecond') return point.requestsPerSecond;
  return point.requests === 0 ? null : point[measure];
}
