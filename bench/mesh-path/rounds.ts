// Repeated rounds, for figures that must be compared closer than this shared machine's drift
// (10–20% between two runs a minute apart): each round measures every path, odd rounds in the
// reverse order so that a trend favours no path, and paths are compared within a round.

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

/** over/under closed-loop throughput in each round where both ran, and their median. */
export function pairedThroughputRatio(
  rounds: readonly Results[],
  over: PathName,
  under: PathName,
): { readonly perRound: readonly number[]; readonly median: number } | undefined {
  const perRound = rounds.flatMap((round) => {
    const a = round[over];
    const b = round[under];
    return a === undefined || b === undefined ? [] : [closedRate(a) / closedRate(b)];
  });
  if (perRound.length === 0) return undefined;
  const sorted = [...perRound].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(middle)] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { perRound, median };
}
