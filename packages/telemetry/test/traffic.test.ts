// A window counts per traffic key and drains into a batch that validates and merges back.

import { describe, expect, it } from 'vitest';
import { LatencySketch, TrafficWindow, trafficBatch } from '../src/index.ts';

const key = (statusClass: string, reporter: 'source' | 'destination' = 'source') => ({
  reporter,
  source: 'shop/frontend',
  destination: 'shop/catalog',
  destinationVersion: 'v2',
  route: 'HTTPRoute/shop/catalog rules[1]',
  statusClass,
});

describe('TrafficWindow', () => {
  it('counts requests, errors and bytes per key, and drains into a valid batch', () => {
    let now = 1_000;
    const window = new TrafficWindow(() => now);
    for (let i = 1; i <= 100; i++) window.record(key('2xx'), 200, i, 10, 100);
    window.record(key('5xx'), 503, 250, 10, 0);
    now = 11_000;
    const batch = window.drain('frontend-1', 7);
    expect(trafficBatch.safeParse(batch).success).toBe(true);
    expect(batch).toMatchObject({
      proxyId: 'frontend-1',
      sequence: 7,
      windowStart: 1_000,
      windowEnd: 11_000,
    });
    const ok = batch.series.find((s) => s.statusClass === '2xx');
    expect(ok).toMatchObject({
      requests: 100,
      errors: 0,
      requestBytes: 1_000,
      responseBytes: 10_000,
    });
    expect(batch.series.find((s) => s.statusClass === '5xx')).toMatchObject({
      requests: 1,
      errors: 1,
    });
    const latency = LatencySketch.fromBytes(Buffer.from(ok?.latency ?? '', 'base64'));
    expect(latency.quantile(0.5)).toBeGreaterThan(49 * 0.99);
    expect(latency.quantile(0.5)).toBeLessThan(51 * 1.01);
    expect(window.drain('frontend-1', 8)).toMatchObject({ windowStart: 11_000, series: [] });
  });

  it('keeps what each side reported apart, and reads a batch without reporters as the source side', () => {
    const window = new TrafficWindow(() => 0);
    window.record(key('2xx'), 200, 5, 0, 0);
    window.record(key('2xx', 'destination'), 200, 3, 0, 0);
    const batch = window.drain('catalog-1', 1);
    expect(batch.series.map((s) => s.reporter).sort()).toEqual(['destination', 'source']);
    const { reporter: _, ...older } = batch.series[0] ?? {};
    const parsed = trafficBatch.parse({ ...batch, series: [older] });
    expect(parsed.series[0]?.reporter).toBe('source');
    expect(
      trafficBatch.safeParse({ ...batch, series: [{ ...older, reporter: 'both' }] }).success,
    ).toBe(false);
  });
});
