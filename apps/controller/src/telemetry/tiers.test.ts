import { describe, expect, it } from 'vitest';
import { readEnv } from '../env.ts';
import {
  DEFAULT_TELEMETRY_TIERS,
  DEFAULT_TIERS,
  formatTiers,
  MAX_TIERS,
  parseTiers,
  TierSpecError,
} from './tiers.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe('parseTiers', () => {
  it('reads the default ladder: 10 s kept 1 h, 1 min kept 24 h, 10 min kept 7 days', () => {
    expect(parseTiers(DEFAULT_TELEMETRY_TIERS)).toEqual([
      { seconds: 10, keepMs: HOUR_MS },
      { seconds: 60, keepMs: DAY_MS },
      { seconds: 600, keepMs: 7 * DAY_MS },
    ]);
    expect(DEFAULT_TIERS).toEqual(parseTiers(DEFAULT_TELEMETRY_TIERS));
  });

  it('takes any ladder whose buckets are growing multiples and whose retentions grow', () => {
    expect(parseTiers(' 1s:10m , 30s:6h,5m:30d,1h:365d')).toEqual([
      { seconds: 1, keepMs: 10 * 60_000 },
      { seconds: 30, keepMs: 6 * HOUR_MS },
      { seconds: 300, keepMs: 30 * DAY_MS },
      { seconds: 3_600, keepMs: 365 * DAY_MS },
    ]);
    expect(parseTiers('1m30s:2h')).toEqual([{ seconds: 90, keepMs: 2 * HOUR_MS }]);
  });

  it('spells the tiers back the way it reads them', () => {
    const text = '5s:15m,1m:1d,15m:14d';
    expect(parseTiers(formatTiers(parseTiers(text)))).toEqual(parseTiers(text));
    expect(formatTiers(DEFAULT_TIERS)).toBe('10s:1h,1m:1d,10m:7d');
  });

  it.each([
    ['', 'tier 1 "": expected bucket:retention'],
    ['10s', 'tier 1 "10s": expected bucket:retention'],
    ['10s:1h:2h', 'tier 1 "10s:1h:2h": expected bucket:retention'],
    ['10s:1h,,10m:7d', 'tier 2 "": expected bucket:retention'],
    ['ten:1h', 'tier 1 "ten:1h": bucket "ten" must be a whole number of seconds'],
    ['500ms:1h', 'tier 1 "500ms:1h": bucket "500ms" must be a whole number of seconds'],
    ['1500ms:1h', 'bucket "1500ms" must be a whole number of seconds'],
    ['10s:forever', 'tier 1 "10s:forever": retention "forever" must be a duration'],
    ['10m:5m', 'retention "5m" must be a duration of at least one bucket (10m)'],
    [
      '10s:1h,45s:24h',
      'tier 2 "45s:24h": bucket 45s must be a larger multiple of the previous tier\'s 10s',
    ],
    ['1m:1h,1m:24h', "bucket 1m must be a larger multiple of the previous tier's 1m"],
    ['1m:1h,10s:24h', "bucket 10s must be a larger multiple of the previous tier's 1m"],
    [
      '10s:1h,1m:24h,10m:12h',
      'tier 3 "10m:12h": retention 12h must be longer than the previous tier\'s 1d',
    ],
    ['10s:1h,1m:1h', "retention 1h must be longer than the previous tier's 1h"],
  ])('refuses "%s", naming the bad part', (text, message) => {
    expect(() => parseTiers(text)).toThrow(TierSpecError);
    expect(() => parseTiers(text)).toThrow(message);
  });

  it(`refuses more than ${MAX_TIERS} tiers`, () => {
    const many = Array.from({ length: MAX_TIERS + 1 }, (_, i) => `${2 ** i}s:${2 ** i}d`).join(',');
    expect(() => parseTiers(many)).toThrow(`at most ${MAX_TIERS}`);
  });
});

describe('WEFT_TELEMETRY_TIERS', () => {
  it('defaults to the built-in ladder and takes a configured one', () => {
    expect(readEnv({}).WEFT_TELEMETRY_TIERS).toEqual(DEFAULT_TIERS);
    expect(readEnv({ WEFT_TELEMETRY_TIERS: '5s:10m,1m:2h' }).WEFT_TELEMETRY_TIERS).toEqual([
      { seconds: 5, keepMs: 10 * 60_000 },
      { seconds: 60, keepMs: 2 * HOUR_MS },
    ]);
  });

  it('stops the start with an error naming the variable and the bad part', () => {
    expect(() => readEnv({ WEFT_TELEMETRY_TIERS: '10s:1h,1m:30m' })).toThrow(
      /invalid controller environment:\n {2}WEFT_TELEMETRY_TIERS: tier 2 "1m:30m": retention 30m must be longer than the previous tier's 1h \(got "10s:1h,1m:30m"; the default is "10s:1h,1m:24h,10m:7d"\)/,
    );
  });
});
