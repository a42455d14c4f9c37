// How the console writes numbers: rates, percentages, latencies, durations and times.

const NO_DATA = '—';

export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond == null) return NO_DATA;
  if (perSecond >= 100) return `${Math.round(perSecond)}/s`;
  if (perSecond >= 10) return `${perSecond.toFixed(1)}/s`;
  return `${perSecond.toFixed(2)}/s`;
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio == null) return NO_DATA;
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms == null) return NO_DATA;
  if (ms >= 1_000) return `${(ms / 1_000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** "3 h 12 min", "2 d 4 h": the two largest units. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms / 1_000));
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [name, seconds] of units) {
    if (rest >= seconds || (parts.length === 0 && seconds === 1)) {
      parts.push(`${Math.floor(rest / seconds)} ${name}`);
      rest %= seconds;
    }
    if (parts.length === 2) break;
  }
  return sign + parts.join(' ');
}

export function formatAgo(time: Date | number | null | undefined, now = Date.now()): string {
  if (time == null) return 'never';
  const ms = now - (typeof time === 'number' ? time : time.getTime());
  return ms < 1_000 ? 'just now' : `${formatDuration(ms)} ago`;
}

export function formatTime(time: Date | number): string {
  return new Date(time).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
