import { describe, expect, it } from 'vitest';
import { ticks, timeLeftOf, timelineDomain } from './timeline-scale';

const HOUR = 3_600_000;
const now = Date.UTC(2026, 10, 23, 12);

describe('the certificate timeline scale', () => {
  it('spans every workload certificate and now, with some room either side', () => {
    const [start, end] = timelineDomain(
      [{ notBefore: now - 30 * HOUR, notAfter: now + 2 * HOUR }],
      now,
    );
    expect(start).toBeLessThan(now - 30 * HOUR);
    expect(end).toBeGreaterThan(now + 2 * HOUR);
  });

  it('judges time left by the share of the lifetime ahead', () => {
    const span = (left: number) => ({
      notBefore: now - (24 - left) * HOUR,
      notAfter: now + left * HOUR,
    });
    expect(timeLeftOf(span(20), now)).toBe('plenty');
    expect(timeLeftOf(span(6), now)).toBe('renew-soon');
    expect(timeLeftOf(span(1), now)).toBe('critical');
    expect(timeLeftOf(span(-1), now)).toBe('over');
  });

  it('puts ticks on round hours', () => {
    const marks = ticks([now - 12 * HOUR, now + 24 * HOUR], 8);
    expect(marks.length).toBeGreaterThan(3);
    expect(marks.length).toBeLessThanOrEqual(9);
    for (const t of marks) expect(t % HOUR).toBe(0);
  });
});
