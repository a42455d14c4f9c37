import { describe, expect, it } from 'vitest';
import { addressKey, LoginThrottle } from './login-throttle.ts';

/** One attempt, settled at once: 'refused', or whether it was let through. */
function tryOnce(throttle: LoginThrottle, user: string, address: string, succeeds = false) {
  const attempt = throttle.begin(user, address);
  if (attempt === undefined) return 'refused';
  attempt.settle(succeeds);
  return 'tried';
}

describe('LoginThrottle', () => {
  it('closes a username and address after five failures for a minute, then doubling', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < 5; i++) expect(tryOnce(throttle, 'ada', '10.0.0.1')).toBe('tried');
    expect(tryOnce(throttle, 'ada', '10.0.0.1')).toBe('refused');
    // The same user from another address, and another user from this one, are not held back.
    expect(tryOnce(throttle, 'ada', '10.0.0.2', true)).toBe('tried');
    expect(tryOnce(throttle, 'bob', '10.0.0.1')).toBe('tried');
    now = 60_000;
    expect(tryOnce(throttle, 'ada', '10.0.0.1')).toBe('tried');
    now = 60_000 + 119_999;
    expect(tryOnce(throttle, 'ada', '10.0.0.1')).toBe('refused');
    now = 60_000 + 120_000;
    expect(tryOnce(throttle, 'ada', '10.0.0.1', true)).toBe('tried');
    // A success clears the pair: five free failures again.
    for (let i = 0; i < 5; i++) expect(tryOnce(throttle, 'ada', '10.0.0.1')).toBe('tried');
  });

  it('counts attempts still in flight', () => {
    const throttle = new LoginThrottle(() => 0);
    const started = Array.from({ length: 8 }, () => throttle.begin('ghost', '10.0.0.1'));
    expect(started.map((a) => a !== undefined)).toEqual([
      ...Array(5).fill(true),
      ...Array(3).fill(false),
    ]);
    started[0]?.settle(false);
    expect(throttle.begin('ghost', '10.0.0.1')).toBeUndefined();
  });

  it('slows a username guessed from many addresses, except where it signed in before', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    expect(tryOnce(throttle, 'ada', '10.0.0.1', true)).toBe('tried');
    for (let i = 0; i < 10; i++) expect(tryOnce(throttle, 'ada', `192.0.2.${i}`)).toBe('tried');
    expect(tryOnce(throttle, 'ada', '192.0.2.200', true)).toBe('refused');
    expect(tryOnce(throttle, 'ada', '10.0.0.1', true)).toBe('tried');
    now = 10_000;
    expect(tryOnce(throttle, 'ada', '192.0.2.200', true)).toBe('tried');
  });

  it('slows one address guessing over many usernames', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < 20; i++) expect(tryOnce(throttle, `user${i}`, '10.0.0.9')).toBe('tried');
    expect(tryOnce(throttle, 'another', '10.0.0.9')).toBe('refused');
    expect(tryOnce(throttle, 'another', '10.0.0.10')).toBe('tried');
  });

  it('counts an IPv6 client by its /64, and an IPv4-mapped one as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::7')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('10.1.2.3')).toBe('10.1.2.3');
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < 5; i++) tryOnce(throttle, 'ada', `2001:db8:1:2::${i + 1}`);
    expect(tryOnce(throttle, 'ada', '2001:db8:1:2:ffff::9')).toBe('refused');
  });

  it('remembers a bounded number of keys, dropping forgotten ones first, then the oldest', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now, 100);
    for (let i = 0; i < 1_000; i++) {
      if (i === 500) now = 2 * 86_400_000;
      tryOnce(throttle, `user${i}`, `10.0.${i >> 8}.${i & 255}`);
    }
    expect(throttle.size).toBeLessThanOrEqual(300);
    // The newest key is still counted.
    for (let i = 0; i < 4; i++) tryOnce(throttle, 'user999', '10.0.3.231');
    expect(tryOnce(throttle, 'user999', '10.0.3.231')).toBe('refused');
  });
});
