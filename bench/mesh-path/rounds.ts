// Repeated rounds, against this shared machine's drift (10–20% between two runs a minute
// apart): each round measures every path, odd rounds in the reverse order so that a trend
// favours no path, and each path's figures come from its median round.

import type { PathResult } from './measure-path.ts';
import type { PathName } from './options.ts';
import type { Results } from './targets.ts';

/** The order of the paths in round `round` (counted from 0). */
export function roundOrder(paths: readonly PathName[], round: number): PathName[] {
  return round % 2 === 0 ? [...paths] : [...paths].reverse();
}

const closedRate = (result: PathResult) => result.closed.load.requestsPerSecond;

/** Per path, the round whose closed-loop throughput is the median of that path's rounds. */
export function medianRounds(rounds: readonly Results[]): Results {
  const results: Results = {};
  const names = new Set(rounds.flatMap((round) => Object.keys(round) as PathName[]));
  for (const name of names) {
    const measured = rounds
      .map((round) => round[name])
      .filter((result) => result !== undefined)
      .sort((a, b) => closedRate(a) - closedRate(b));
    const median = measured[Math.floor((measured.length - 1) / 2)];
    if (median !== undefined) results[name] = median;
  }
  return results;
}
