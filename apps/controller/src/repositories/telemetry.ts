// Telemetry rollups: each batch from a proxy merged into 10-second buckets per traffic key,
// in one transaction with the record that the batch was seen (a re-sent batch changes nothing).

import { LatencySketch, type TrafficBatch } from '@weft/telemetry';
import type { Db } from '../db/database.ts';

/** The finest tier, where batches land; compact() moves older data to coarser ones. */
export const BUCKET_SECONDS = 10;

const UPLOAD_MEMORY_MS = 24 * 3_600_000;

/** Rollup tiers, finest first: how wide a bucket is, and how long the tier keeps it. */
export const TIERS = [
  { seconds: 10, keepMs: 3_600_000 },
  { seconds: 60, keepMs: 24 * 3_600_000 },
  { seconds: 600, keepMs: 7 * 24 * 3_600_000 },
] as const;

export interface VersionFigures {
  readonly version: string;
  readonly requests: number;
  readonly errors: number;
  readonly latency: LatencySketch;
}

export class TelemetryRepository {
  constructor(private readonly db: Db) {}

  /** Merges a batch; returns false when it was merged before. */
  async ingest(batch: TrafficBatch): Promise<boolean> {
    const bucketStart = new Date(
      Math.floor(batch.windowEnd / (BUCKET_SECONDS * 1_000)) * BUCKET_SECONDS * 1_000,
    );
    return this.db.$transaction(async (tx) => {
      const seen = await tx.telemetryUpload.findUnique({
        where: { proxyId_sequence: { proxyId: batch.proxyId, sequence: BigInt(batch.sequence) } },
      });
      if (seen !== null) return false;
      await tx.telemetryUpload.create({
        data: { proxyId: batch.proxyId, sequence: BigInt(batch.sequence) },
      });
      for (const series of batch.series) {
        const key = {
          tierSeconds: BUCKET_SECONDS,
          bucketStart,
          source: series.source,
          destination: series.destination,
          destVersion: series.destinationVersion,
          route: series.route,
          statusClass: series.statusClass,
        };
        await mergeInto(tx, key, {
          requests: series.requests,
          errors: series.errors,
          requestBytes: BigInt(series.requestBytes),
          responseBytes: BigInt(series.responseBytes),
          latency: LatencySketch.fromBytes(Buffer.from(series.latency, 'base64')),
        });
      }
      return true;
    });
  }

  /** Calls to `destination` since `since`, merged per destination version. */
  async byVersion(destination: string, since: Date): Promise<VersionFigures[]> {
    const rows = await this.db.telemetryRollup.findMany({
      where: { destination, bucketStart: { gte: since } },
    });
    const versions = new Map<
      string,
      { requests: number; errors: number; latency: LatencySketch }
    >();
    for (const row of rows) {
      let figures = versions.get(row.destVersion);
      if (figures === undefined) {
        figures = { requests: 0, errors: 0, latency: LatencySketch.empty() };
        versions.set(row.destVersion, figures);
      }
      figures.requests += row.requests;
      figures.errors += row.errors;
      figures.latency.merge(LatencySketch.fromBytes(row.sketch));
    }
    return [...versions]
      .map(([version, figures]) => ({ version, ...figures }))
      .sort((a, b) => a.version.localeCompare(b.version));
  }

  /**
   * Moves buckets past their tier's retention into the next tier (merging counts and sketches),
   * and drops what is past the last tier. Each move is one transaction, so a query sees every
   * request exactly once, in one tier or the other.
   */
  async compact(now: Date): Promise<{ moved: number; dropped: number }> {
    // A proxy re-sends at most an hour of batches; a day of upload records is enough to dedupe.
    await this.db.telemetryUpload.deleteMany({
      where: { receivedAt: { lt: new Date(now.getTime() - UPLOAD_MEMORY_MS) } },
    });
    let moved = 0;
    for (const [index, tier] of TIERS.entries()) {
      const next = TIERS[index + 1];
      const expired = await this.db.telemetryRollup.findMany({
        where: {
          tierSeconds: tier.seconds,
          bucketStart: { lt: new Date(now.getTime() - tier.keepMs) },
        },
      });
      if (expired.length === 0) continue;
      if (next === undefined) {
        await this.db.telemetryRollup.deleteMany({
          where: { id: { in: expired.map((row) => row.id) } },
        });
        return { moved, dropped: expired.length };
      }
      await this.db.$transaction(async (tx) => {
        for (const row of expired) {
          const bucketStart = new Date(
            Math.floor(row.bucketStart.getTime() / (next.seconds * 1_000)) * next.seconds * 1_000,
          );
          const key = {
            tierSeconds: next.seconds,
            bucketStart,
            source: row.source,
            destination: row.destination,
            destVersion: row.destVersion,
            route: row.route,
            statusClass: row.statusClass,
          };
          await mergeInto(tx, key, {
            requests: row.requests,
            errors: row.errors,
            requestBytes: row.requestBytes,
            responseBytes: row.responseBytes,
            latency: LatencySketch.fromBytes(row.sketch),
          });
          await tx.telemetryRollup.delete({ where: { id: row.id } });
        }
      });
      moved += expired.length;
    }
    return { moved, dropped: 0 };
  }

  /** Every caller -> callee pair seen since `since`, merged over versions and routes. */
  async edges(since: Date): Promise<EdgeFigures[]> {
    const rows = await this.db.telemetryRollup.findMany({ where: { bucketStart: { gte: since } } });
    const edges = new Map<string, EdgeFigures>();
    for (const row of rows) {
      const id = `${row.source} ${row.destination}`;
      let edge = edges.get(id);
      if (edge === undefined) {
        edge = {
          source: row.source,
          destination: row.destination,
          requests: 0,
          errors: 0,
          latency: LatencySketch.empty(),
        };
        edges.set(id, edge);
      }
      edge.requests += row.requests;
      edge.errors += row.errors;
      edge.latency.merge(LatencySketch.fromBytes(row.sketch));
    }
    return [...edges.values()].sort((a, b) =>
      `${a.source} ${a.destination}`.localeCompare(`${b.source} ${b.destination}`),
    );
  }
}

export interface EdgeFigures {
  readonly source: string;
  readonly destination: string;
  requests: number;
  errors: number;
  readonly latency: LatencySketch;
}

type Transaction = Parameters<Parameters<Db['$transaction']>[0]>[0];

interface RollupKey {
  readonly tierSeconds: number;
  readonly bucketStart: Date;
  readonly source: string;
  readonly destination: string;
  readonly destVersion: string;
  readonly route: string;
  readonly statusClass: string;
}

/** Adds counts and a sketch into the rollup row of `key`, creating the row if it is new. */
async function mergeInto(
  tx: Transaction,
  key: RollupKey,
  add: {
    requests: number;
    errors: number;
    requestBytes: bigint;
    responseBytes: bigint;
    latency: LatencySketch;
  },
): Promise<void> {
  const existing = await tx.telemetryRollup.findUnique({
    where: { tierSeconds_bucketStart_source_destination_destVersion_route_statusClass: key },
  });
  if (existing !== null) add.latency.merge(LatencySketch.fromBytes(existing.sketch));
  const data = {
    requests: add.requests + (existing?.requests ?? 0),
    errors: add.errors + (existing?.errors ?? 0),
    requestBytes: add.requestBytes + (existing?.requestBytes ?? 0n),
    responseBytes: add.responseBytes + (existing?.responseBytes ?? 0n),
    sketch: Buffer.from(add.latency.toBytes()),
  };
  if (existing === null) await tx.telemetryRollup.create({ data: { ...key, ...data } });
  else await tx.telemetryRollup.update({ where: { id: existing.id }, data });
}
