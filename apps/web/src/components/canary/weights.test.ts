import { describe, expect, it } from 'vitest';
import { currentWeights, describeChange, sharesOf, weightsFor } from './weights';

const backends = [
  { version: 'v1', weight: 90 },
  { version: 'v2', weight: 10 },
  { version: 'v3', weight: 5 },
];

describe('the canary slider arithmetic', () => {
  it('gives the canary its share, the stable the rest, and every other version nothing', () => {
    expect(weightsFor(backends, 'v1', 'v2', 30)).toEqual({ v1: 70, v2: 30, v3: 0 });
    expect(weightsFor(backends, 'v2', 'v3', 100)).toEqual({ v1: 0, v2: 0, v3: 100 });
  });

  it('turns weights into shares of their total, and an all-zero route into zeros', () => {
    expect(sharesOf(currentWeights(backends))).toEqual({
      v1: (100 * 90) / 105,
      v2: (100 * 10) / 105,
      v3: (100 * 5) / 105,
    });
    expect(sharesOf({ v1: 0, v2: 0 })).toEqual({ v1: 0, v2: 0 });
  });

  it('describes only the versions whose weight changes', () => {
    expect(describeChange({ v1: 90, v2: 10, v3: 0 }, { v1: 70, v2: 30, v3: 0 })).toEqual([
      'v1: 90 → 70',
      'v2: 10 → 30',
    ]);
    expect(describeChange({ v1: 50 }, { v1: 50 })).toEqual([]);
  });
});
