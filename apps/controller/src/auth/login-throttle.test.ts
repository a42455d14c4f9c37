import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.ts';

describe('LoginThrottle', () => {
  it('refuses after five failures until a minute has passed, and forgets a success', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 5; i++) {
      expect(throttle.begin('ada 10.0.0.1')).toBe(true);
      throttle.settle('ada 10.0.0.1', false);
    }
    expect(throttle.begin('ada 10.0.0.1')).toBe(false);
    expect(throttle.begin('ada 10.0.0.2')).toBe(true);
    throttle.settle('ada 10.0.0.2', true);
    now = 60_001;
    expect(throttle.begin('ada 10.0.0.1')).toBe(true);
    throttle.settle('ada 10.0.0.1', true);
    expect(throttle.size).toBe(0);
  });

  it('counts attempts still in flight', () => {
    const throttle = new LoginThrottle(() => 0);
    const started = Array.from({ length: 8 }, () => throttle.begin('ghost 10.0.0.1'));
    expect(started).toEqual([true, true, true, true, true, false, false, false]);
    throttle.settle('ghost 10.0.0.1', false);
    expect(throttle.begin('ghost 10.0.0.1')).toBe(false);
  });

  it('remembers a bounded number of keys, dropping expired ones first, then the oldest', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now, 100);
    for (let i = 0; i < 1_000; i++) {
      if (i === 500) now = 120_000;
      throttle.begin(`user${i} 10.0.0.1`);
      throttle.settle(`user${i} 10.0.0.1`, false);
    }
    expect(throttle.size).toBeLessThanOrEqual(100);
    // The newest key is still counted.
    for (let i = 0; i < 4; i++) {
      throttle.begin('user999 10.0.0.1');
      throttle.settle('user999 10.0.0.1', false);
    }
    expect(throttle.begin('user999 10.0.0.1')).toBe(false);
  });
});
