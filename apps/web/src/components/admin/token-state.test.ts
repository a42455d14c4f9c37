import { describe, expect, it } from 'vitest';
import { describeTokenState, tokenState } from './token-state';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const at = (offsetMs: number) => new Date(NOW + offsetMs);
const HOUR = 3_600_000;

describe('tokenState', () => {
  it('is active until it expires, and expired from that very moment', () => {
    expect(tokenState({ expiresAt: at(1) }, NOW)).toBe('active');
    expect(tokenState({ expiresAt: at(0) }, NOW)).toBe('expired');
    expect(tokenState({ expiresAt: null }, NOW)).toBe('active');
  });

  it('says revoked before expired, and expired before used up', () => {
    expect(tokenState({ expiresAt: at(-HOUR), revokedAt: at(-2 * HOUR) }, NOW)).toBe('revoked');
    expect(tokenState({ expiresAt: at(-HOUR), uses: 3, maxUses: 3 }, NOW)).toBe('expired');
    expect(tokenState({ expiresAt: at(HOUR), uses: 3, maxUses: 3 }, NOW)).toBe('used-up');
    expect(tokenState({ expiresAt: at(HOUR), uses: 2, maxUses: 3 }, NOW)).toBe('active');
    expect(tokenState({ expiresAt: at(HOUR), uses: 50, maxUses: null }, NOW)).toBe('active');
  });
});

describe('describeTokenState', () => {
  it('says how long is left, or how long ago it stopped', () => {
    expect(describeTokenState({ expiresAt: at(24 * HOUR) }, NOW)).toBe('expires in 1 d');
    expect(describeTokenState({ expiresAt: at(-3 * 60_000) }, NOW)).toBe('expired 3 min ago');
    expect(describeTokenState({ expiresAt: at(HOUR), revokedAt: at(-HOUR) }, NOW)).toBe(
      'revoked 1 h ago',
    );
    expect(describeTokenState({ expiresAt: at(HOUR), uses: 1, maxUses: 1 }, NOW)).toBe('used up');
    expect(describeTokenState({ expiresAt: null }, NOW)).toBe('never expires');
  });
});
