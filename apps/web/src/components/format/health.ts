// Health colours shared by the graph, tables and timelines: one judgement, one palette.

export type Health = 'good' | 'warn' | 'bad' | 'idle';

/** Success rate below 99% warns, below 95% is bad; p99 above 500 ms warns, 1 s is bad. */
export function healthOf(successRate: number | null, p99Ms: number | null): Health {
  if (successRate === null) return 'idle';
  if (successRate < 0.95 || (p99Ms ?? 0) >= 1_000) return 'bad';
  if (successRate < 0.99 || (p99Ms ?? 0) >= 500) return 'warn';
  return 'good';
}

export const HEALTH_COLOUR: Record<Health, string> = {
  good: '#2f9e6e',
  warn: '#d99a1e',
  bad: '#d6453d',
  idle: '#9aa3ad',
};
