// Head sampling by trace id: the share asked for, and the same answer for the same trace.

import { describe, expect, it } from 'vitest';
import { ratioSampler } from './sampler.ts';

describe('ratio sampler', () => {
  it('samples none, all, or about the asked share of random trace ids, the same way every time', () => {
    const ids = Array.from({ length: 20_000 }, () =>
      Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join(''),
    );
    expect(ids.filter(ratioSampler(0))).toHaveLength(0);
    expect(ids.filter(ratioSampler(1))).toHaveLength(ids.length);
    const quarter = ids.filter(ratioSampler(0.25)).length / ids.length;
    expect(quarter).toBeGreaterThan(0.22);
    expect(quarter).toBeLessThan(0.28);
    expect(ids.filter(ratioSampler(0.25))).toEqual(ids.filter(ratioSampler(0.25)));
    expect(() => ratioSampler(1.5)).toThrow(RangeError);
  });
});
