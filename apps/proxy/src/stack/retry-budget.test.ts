import { describe, expect, it } from 'vitest';
import { MIN_RETRIES_PER_SECOND, RetryBudget } from './retry-budget.ts';

const take = (budget: RetryBudget, tries: number) => {
  let granted = 0;
  for (let i = 0; i < tries; i++) if (budget.tryAcquire()) granted += 1;
  return granted;
};

describe('retry budget', () => {
  it('allows its floor of retries on a quiet service', () => {
    const budget = new RetryBudget(20, () => 1_000);
    expect(take(budget, 1_000)).toBe(MIN_RETRIES_PER_SECOND * 10);
  });

  it('allows a share of the recent requests beyond the floor, and forgets them after the window', () => {
    let now = 1_000;
    const budget = new RetryBudget(20, () => now);
    for (let i = 0; i < 5_000; i++) budget.recordRequest();
    expect(take(budget, 5_000)).toBe(1_000);
    now += 11_000;
    expect(take(budget, 5_000)).toBe(MIN_RETRIES_PER_SECOND * 10);
  });
});
