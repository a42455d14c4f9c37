// Telemetry rollups: each batch from a proxy merged into 10-second buckets per traffic key,
// in one transaction with the record that the batch was seen (a re-sent batch changes nothing).

import { LatencySketch, type TrafficBatch } from '@weft/telemetry';
import type { Db } from '../db/database.ts';

/** The finest tier; coarser tiers (1 min, 10 min) and retention come with the compactor. */
export const BUCKET_SECONDS = 10;

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
        const latency = LatencySketch.fromBytes(Buffer.from(series.latency, 'base64'));
        const existing = await tx.telemetryRollup.findUnique({
          where: { tierSeconds_bucketStart_source_destination_destVersion_route_statusClass: key },
        });
        if (existing !== null) latency.merge(LatencySketch.fromBytes(existing.sketch));
        const data = {
          requests: (existing?.requests ?? 0) + series.requests,
          errors: (existing?.errors ?? 0) + series.errors,
          requestBytes: (existing?.requestBytes ?? 0n) + BigInt(series.requestBytes),
          responseBytes: (existing?.responseBytes ?? 0n) + BigInt(series.responseBytes),
          sketch: Buffer.from(latency.toBytes()),
        };
        if (existing === null) await tx.telemetryRollup.create({ data: { ...key, ...data } });
        else await tx.telemetryRollup.update({ where: { id: existing.id }, data });
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
