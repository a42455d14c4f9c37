// Telemetry in SQLite: a batch merges once, however often it is sent, across a restart too.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrafficWindow } from '@weft/telemetry';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { TelemetryRepository } from '../src/repositories/telemetry.ts';

const key = (version: string) => ({
  source: 'shop/frontend',
  destination: 'shop/catalog',
  destinationVersion: version,
  route: 'HTTPRoute/shop/catalog rules[0]',
  statusClass: '2xx',
});

describe('telemetry rollups', () => {
  it('merges batches per version, counts a re-sent batch once, and keeps counts across a restart', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'weft-telemetry-')), 'weft.db');
    let opened = await openDatabase(file);
    let telemetry = new TelemetryRepository(opened.db);
    const window = new TrafficWindow();
    for (let i = 1; i <= 100; i++) window.record(key('v1'), 200, i, 0, 10);
    for (let i = 1; i <= 50; i++) window.record(key('v2'), 200, 2 * i, 0, 10);
    const first = window.drain('frontend-1', 1_000);
    for (let i = 1; i <= 100; i++) window.record(key('v1'), 200, i, 0, 10);
    const second = window.drain('frontend-1', 2_000);

    expect(await telemetry.ingest(first)).toBe(true);
    expect(await telemetry.ingest(first)).toBe(false);
    await opened.db.$disconnect();
    opened = await openDatabase(file);
    telemetry = new TelemetryRepository(opened.db);
    expect(await telemetry.ingest(first)).toBe(false);
    expect(await telemetry.ingest(second)).toBe(true);

    const versions = await telemetry.byVersion('shop/catalog', new Date(0));
    expect(versions.map((v) => [v.version, v.requests, v.errors])).toEqual([
      ['v1', 200, 0],
      ['v2', 50, 0],
    ]);
    const v1 = versions[0]?.latency;
    expect(v1?.quantile(0.5)).toBeGreaterThan(50 * 0.99 - 1);
    expect(v1?.quantile(0.5)).toBeLessThan(51 * 1.01);
    await opened.db.$disconnect();
  });

  it('compacts into coarser tiers as buckets age, keeping every count, and drops past the last tier', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'weft-compaction-')), 'weft.db');
    const opened = await openDatabase(file);
    const telemetry = new TelemetryRepository(opened.db);
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const batchAt = async (ageMs: number, requests: number, sequence: number) => {
      const window = new TrafficWindow(() => now - ageMs);
      for (let i = 1; i <= requests; i++) window.record(key('v1'), 200, i, 0, 0);
      await telemetry.ingest(window.drain('frontend-1', sequence));
    };
    await batchAt(0, 10, 1);
    await batchAt(2 * 3_600_000, 20, 2);
    await batchAt(2 * 3_600_000 - 30_000, 30, 3);
    await batchAt(3 * 86_400_000, 40, 4);
    await batchAt(8 * 86_400_000, 50, 5);
    const total = async () =>
      (await telemetry.byVersion('shop/catalog', new Date(0))).reduce(
        (sum, v) => sum + v.requests,
        0,
      );
    expect(await total()).toBe(150);

    await telemetry.compact(new Date(now));
    const rows = await opened.db.telemetryRollup.findMany({ orderBy: { bucketStart: 'asc' } });
    // 3 days old: through 1 min into 10 min; 2 h old: into one 1-minute bucket; 8 days: dropped.
    expect(rows.map((r) => [r.tierSeconds, r.requests])).toEqual([
      [600, 40],
      [60, 50],
      [10, 10],
    ]);
    expect(await total()).toBe(100);
    await telemetry.compact(new Date(now + 6 * 86_400_000));
    expect(await total()).toBe(60);
    await opened.db.$disconnect();
  });
});
