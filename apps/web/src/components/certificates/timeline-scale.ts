// The certificate timeline's time axis: wide enough for every workload certificate and "now";
// CA certificates live far longer and are drawn clipped at the edges.

/** Epoch milliseconds. */
export interface Span {
  readonly notBefore: number;
  readonly notAfter: number;
}

const PADDING_MS = 2 * 3_600_000;
const MIN_SPAN_MS = 24 * 3_600_000;

export function timelineDomain(leaves: readonly Span[], now: number): [number, number] {
  let start = now - MIN_SPAN_MS / 4;
  let end = now + (3 * MIN_SPAN_MS) / 4;
  for (const leaf of leaves) {
    start = Math.min(start, leaf.notBefore);
    end = Math.max(end, leaf.notAfter);
  }
  return [start - PADDING_MS, end + PADDING_MS];
}

/** Evenly spaced tick times at a round step (hours or days) that fits about `count` ticks. */
export function ticks([start, end]: [number, number], count: number): number[] {
  const steps = [1, 2, 3, 6, 12, 24, 48, 168].map((h) => h * 3_600_000);
  const step = steps.find((s) => (end - start) / s <= count) ?? (steps.at(-1) as number);
  const out: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) out.push(t);
  return out;
}

export type TimeLeft = 'plenty' | 'renew-soon' | 'critical' | 'over';

/** How worried to be: by the share of the certificate's life still ahead. */
export function timeLeftOf(span: Span, now: number): TimeLeft {
  const life = span.notAfter - span.notBefore;
  const left = span.notAfter - now;
  if (left <= 0) return 'over';
  if (left < life * 0.1) return 'critical';
  if (left < life * 0.34) return 'renew-soon';
  return 'plenty';
}

export const TIME_LEFT_COLOUR: Record<TimeLeft, string> = {
  plenty: '#2f9e6e',
  'renew-soon': '#d99a1e',
  critical: '#d6453d',
  over: '#9aa3ad',
};
