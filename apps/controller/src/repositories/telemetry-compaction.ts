// Rollup compaction along the configured tiers: buckets past their tier's retention move into
// the next tier (counts and sketches merged), and what is past the last tier is dropped.

import { LatencySketch } from '@weft/telemetry';
import type { Db } from '../db/database.ts';
import type { RollupTier } from '../telemetry/tiers.ts';
import { mergeInto } from './rollup-merge.ts';

/** A proxy re-sends at most an hour of batches; a day of upload records is enough to dedupe. */
const UPLOAD_MEMORY_MS = 24 * 3_600_000;

type RollupRow = Awaited<ReturnType<Db['telemetryRollup']['findMany']>>[number];

export interface CompactionOutcome {
  /** Rows merged into a coarser tier. */
  readonly moved: number;
  /** Rows past the last tier, deleted. */
  readonly dropped: number;
}

/**
 * Each move is one transaction, so a query sees every request exactly once, in one tier or the
 * other. `tiers` must be checked by parseTiers (finest first, each bucket a multiple of the last).
 */
export async function compactRollups(
  db: Db,
  tiers: readonly RollupTier[],
  now: Date,
): Promise<CompactionOutcome> {
  await db.telemetryUpload.deleteMany({
    where: { receivedAt: { lt: new Date(now.getTime() - UPLOAD_MEMORY_MS) } },
  });
  let moved = await adoptStrayRows(db, tiers);
  for (const [index, tier] of tiers.entries()) {
    const next = tiers[index + 1];
    const expired = await db.telemetryRollup.findMany({
      where: {
        tierSeconds: tier.seconds,
        bucketStart: { lt: new Date(now.getTime() - tier.keepMs) },
      },
    });
    if (expired.length === 0) continue;
    if (next === undefined) {
      await db.telemetryRollup.deleteMany({
        where: { id: { in: expired.map((row) => row.id) } },
      });
      return { moved, dropped: expired.length };
    }
    await moveRows(db, expired, () => next);
    moved += expired.length;
  }
  return { moved, dropped: 0 };
}

/**
 * Rows of a bucket width no configured tier has (the tiers were changed since they were
 * written) go to the finest tier at least as wide, else the last one, whatever their age:
 * left where they were, they would be counted but never compacted nor dropped.
 */
async function adoptStrayRows(db: Db, tiers: readonly RollupTier[]): Promise<number> {
  // The widths between and around the configured ones, as ranges: each one an index range
  // scan that finds nothing in the usual case, where NOT IN would read the whole index.
  const widths = tiers.map((tier) => tier.seconds);
  const between = widths.map((width, index) => {
    const next = widths[index + 1];
    return { tierSeconds: next === undefined ? { gt: width } : { gt: width, lt: next } };
  });
  const strays = await db.telemetryRollup.findMany({
    where: { OR: [{ tierSeconds: { lt: (tiers[0] as RollupTier).seconds } }, ...between] },
  });
  if (strays.length === 0) return 0;
  const last = tiers[tiers.length - 1] as RollupTier;
  await moveRows(
    db,
    strays,
    (row) => tiers.find((tier) => tier.seconds >= row.tierSeconds) ?? last,
  );
  return strays.length;
}

/**
 * Merges each row into the bucket of its target tier that holds the row's start, in one
 * transaction. The target is at least as wide as the row, so a row lands whole in one bucket.
 */
async function moveRows(
  db: Db,
  rows: readonly RollupRow[],
  targetOf: (row: RollupRow) => RollupTier,
): Promise<void> {
  await db.$transaction(async (tx) => {
    for (const row of rows) {
      const target = targetOf(row);
      const widthMs = target.seconds * 1_000;
      await mergeInto(
        tx,
        {
          tierSeconds: target.seconds,
          bucketStart: new Date(Math.floor(row.bucketStart.getTime() / widthMs) * widthMs),
          reporter: row.reporter,
          source: row.source,
          destination: row.destination,
          destVersion: row.destVersion,
          route: row.route,
          statusClass: row.statusClass,
        },
        {
          requests: row.requests,
          errors: row.errors,
          requestBytes: row.requestBytes,
          responseBytes: row.responseBytes,
          latency: LatencySketch.fromBytes(row.sketch),
        },
      );
      await tx.telemetryRollup.delete({ where: { id: row.id } });
    }
  });
}
