// Telemetry in SQLite: a batch merges once, however often it is sent, across a restart too; rollups
// compact along the default tiers or a configured ladder (WEFT_TELEMETRY_TIERS).

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrafficWindow } from '@weft/telemetry';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { TelemetryRepository } from '../src/repositories/telemetry.ts';
import { parseTiers } from '../src/telemetry/tiers.ts';
import { startAdminController } from './admin-controller.ts';

const key = (version: string) => ({
  reporter: 'source' as const,
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

  it('follows a configured ladder: batches land in its finest buckets, each tier keeps and moves by its own retention', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'weft-tiers-')), 'weft.db');
    const opened = await openDatabase(file);
    const telemetry = new TelemetryRepository(opened.db, parseTiers('5s:1m,30s:10m,5m:1h'));
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const batchAt = async (ageMs: number, requests: number, sequence: number) => {
      const window = new TrafficWindow(() => now - ageMs);
      for (let i = 1; i <= requests; i++) window.record(key('v1'), 200, i, 0, 0);
      await telemetry.ingest(window.drain('frontend-1', sequence));
    };
    await batchAt(3_000, 10, 1);
    await batchAt(120_000, 20, 2);
    await batchAt(110_000, 30, 3);
    await batchAt(20 * 60_000, 40, 4);
    await batchAt(2 * 3_600_000, 50, 5);
    const rows = async () =>
      (await opened.db.telemetryRollup.findMany({ orderBy: { bucketStart: 'asc' } })).map((r) => [
        r.tierSeconds,
        (r.bucketStart.getTime() - now) / 1_000,
        r.requests,
      ]);
    const total = async () =>
      (await telemetry.byVersion('shop/catalog', new Date(0))).reduce(
        (sum, v) => sum + v.requests,
        0,
      );
    // 3 s old lands in the 5-second bucket that starts 5 s ago.
    expect((await rows()).at(-1)).toEqual([5, -5, 10]);
    expect(await total()).toBe(150);

    expect(await telemetry.compact(new Date(now))).toEqual({ moved: 6, dropped: 1 });
    // Past 1 min: into 30 s buckets (the 2 min and 1 min 50 s old batches share one); past
    // 10 min: into 5 min buckets; past the last tier's hour: dropped.
    expect(await rows()).toEqual([
      [300, -1_200, 40],
      [30, -120, 50],
      [5, -5, 10],
    ]);
    expect(await total()).toBe(100);

    // The 5 s bucket 5 s before `now` and the 30 s one 2 min before share a 5 min bucket.
    await telemetry.compact(new Date(now + 30 * 60_000));
    expect(await rows()).toEqual([
      [300, -1_200, 40],
      [300, -300, 60],
    ]);
    await telemetry.compact(new Date(now + 55 * 60_000));
    expect(await rows()).toEqual([[300, -300, 60]]);
    expect(await total()).toBe(60);
    await opened.db.$disconnect();
  });

  it('moves rows of a tier the configuration no longer has into the next configured one, keeping every count', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'weft-tiers-changed-')), 'weft.db');
    let opened = await openDatabase(file);
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const withDefaults = new TelemetryRepository(opened.db);
    for (const [sequence, ageMs, requests] of [
      [1, 0, 10],
      [2, 30 * 60_000, 20],
    ] as const) {
      const window = new TrafficWindow(() => now - ageMs);
      for (let i = 1; i <= requests; i++) window.record(key('v2'), 200, i, 0, 0);
      await withDefaults.ingest(window.drain('frontend-1', sequence));
    }
    await opened.db.$disconnect();

    opened = await openDatabase(file);
    const telemetry = new TelemetryRepository(opened.db, parseTiers('5s:1m,30s:10m,5m:1h'));
    expect(await telemetry.compact(new Date(now))).toEqual({ moved: 3, dropped: 0 });
    const rows = await opened.db.telemetryRollup.findMany({ orderBy: { bucketStart: 'asc' } });
    // The 10 s rows go to the 30 s tier; the one 30 min old, past its 10 min, on to 5 min.
    expect(
      rows.map((r) => [r.tierSeconds, (r.bucketStart.getTime() - now) / 1_000, r.requests]),
    ).toEqual([
      [300, -1_800, 20],
      [30, 0, 10],
    ]);
    const versions = await telemetry.byVersion('shop/catalog', new Date(0));
    expect(versions.map((v) => [v.version, v.requests, v.latency.count])).toEqual([['v2', 30, 30]]);
    await opened.db.$disconnect();
  });

  it('a controller started with WEFT_TELEMETRY_TIERS rolls up and draws series at its tiers', async () => {
    const { controller, admin } = await startAdminController('tiers-controller', {
      WEFT_TELEMETRY_TIERS: '5s:10m,1m:2h',
    });
    try {
      const window = new TrafficWindow();
      for (let i = 1; i <= 25; i++) window.record(key('v1'), 200, 10, 0, 0);
      expect(await controller.services.telemetry.ingest(window.drain('frontend-1', 1))).toBe(true);
      const rollups = await controller.services.telemetry.series({
        destination: 'shop/catalog',
        since: new Date(0),
        stepSeconds: 1,
      });
      // Landed in one bucket of the configured finest tier.
      const buckets = [...rollups.total.keys()];
      expect(buckets.map((t) => t % 5_000)).toEqual([0]);

      // After a moment: only whole buckets that begin at or after it, at the configured width.
      const bucket = buckets[0] ?? 0;
      const requestsAfter = async (after: number) =>
        (await admin.telemetry.byVersion.query({ service: 'shop/catalog', after })).reduce(
          (sum, version) => sum + version.requests,
          0,
        );
      expect(await requestsAfter(bucket)).toBe(25);
      expect(await requestsAfter(bucket - 4_999)).toBe(25);
      expect(await requestsAfter(bucket + 1)).toBe(0);

      const minute = await admin.telemetry.series.query({
        service: 'shop/catalog',
        windowSeconds: 60,
      });
      expect([minute.stepSeconds, minute.total.length]).toEqual([5, 12]);
      expect(minute.total.reduce((sum, point) => sum + point.requests, 0)).toBe(25);
      // Past the 5 s tier's 10 minutes: its 1 min buckets.
      const hour = await admin.telemetry.series.query({
        service: 'shop/catalog',
        windowSeconds: 3_600,
      });
      expect([hour.stepSeconds, hour.total.length]).toEqual([60, 60]);
    } finally {
      await controller.close();
    }
  });
});
