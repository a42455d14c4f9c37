// Telemetry rollups: each batch from a proxy merged into the finest tier's buckets (10 s unless
// WEFT_TELEMETRY_TIERS says otherwise) per traffic key, in one transaction with the record that
// the batch was seen (a re-sent batch changes nothing); and the queries over them.

import { LatencySketch, type TrafficBatch, UNAUTHENTICATED_SOURCE } from '@weft/telemetry';
import type { Db } from '../db/database.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { controllerChannels } from '../observability/channels.ts';
import { DEFAULT_TIERS, type RollupTier } from '../telemetry/tiers.ts';
import { mergeInto } from './rollup-merge.ts';
import { type CompactionOutcome, compactRollups } from './telemetry-compaction.ts';

export interface VersionFigures {
  readonly version: string;
  readonly requests: number;
  readonly errors: number;
  readonly latency: LatencySketch;
}

export class TelemetryRepository {
  /**
   * `tiers`, finest first (WEFT_TELEMETRY_TIERS, checked by parseTiers): batches land in the
   * first; compact() moves older buckets down the list.
   */
  constructor(
    private readonly db: Db,
    readonly tiers: readonly RollupTier[] = DEFAULT_TIERS,
  ) {
    if (tiers.length === 0) throw new Error('a telemetry repository needs at least one tier');
  }

  /** Width of the finest tier's buckets, where batches land. */
  get bucketSeconds(): number {
    return (this.tiers[0] as RollupTier).seconds;
  }

  /**
   * Merges a batch; returns false when it was merged before. `latencies` are its series' sketches,
   * in order, when the caller has decoded them already (the proxy API's admission has).
   */
  async ingest(
    batch: TrafficBatch,
    latencies: readonly LatencySketch[] = batch.series.map((s) => decodeSketch(s.latency)),
  ): Promise<boolean> {
    const merged = await this.merge(batch, latencies);
    controllerChannels.telemetryBatch.publish({ source: this, proxyId: batch.proxyId, merged });
    return merged;
  }

  private merge(batch: TrafficBatch, latencies: readonly LatencySketch[]): Promise<boolean> {
    const bucketSeconds = this.bucketSeconds;
    const bucketStart = new Date(
      Math.floor(batch.windowEnd / (bucketSeconds * 1_000)) * bucketSeconds * 1_000,
    );
    return this.db.$transaction(async (tx) => {
      const seen = await tx.telemetryUpload.findUnique({
        where: { proxyId_sequence: { proxyId: batch.proxyId, sequence: BigInt(batch.sequence) } },
      });
      if (seen !== null) return false;
      await tx.telemetryUpload.create({
        data: { proxyId: batch.proxyId, sequence: BigInt(batch.sequence) },
      });
      for (const [index, series] of batch.series.entries()) {
        const latency = latencies[index];
        if (latency === undefined) throw new RangeError(`no latency sketch for series ${index}`);
        const key = {
          tierSeconds: bucketSeconds,
          bucketStart,
          reporter: series.reporter,
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
          latency,
        });
      }
      return true;
    });
  }

  /**
   * Calls to `destination` since `since`, merged per destination version, as the callers' proxies
   * saw them: what the console shows, every call counted once.
   */
  byVersion(destination: string, since: Date): Promise<VersionFigures[]> {
    return this.mergedByVersion({ reporter: 'source', destination, bucketStart: { gte: since } });
  }

  /**
   * Calls to `destination` since `since`, merged per destination version, as its own proxies
   * answered them, from callers whose certificates they verified: what a canary is judged on. No
   * other workload can report these, and no caller without an identity counts.
   */
  verifiedByVersion(destination: string, since: Date): Promise<VersionFigures[]> {
    return this.mergedByVersion({
      reporter: 'destination',
      destination,
      source: { not: UNAUTHENTICATED_SOURCE },
      bucketStart: { gte: since },
    });
  }

  private async mergedByVersion(
    where: Prisma.TelemetryRollupWhereInput,
  ): Promise<VersionFigures[]> {
    const rows = await this.db.telemetryRollup.findMany({ where });
    const versions = new Map<string, Figures>();
    for (const row of rows) {
      addInto(
        figuresAt(versions, row.destVersion),
        row.requests,
        row.errors,
        LatencySketch.fromBytes(row.sketch),
      );
    }
    return versionList(versions);
  }

  /**
   * Moves buckets past their tier's retention into the next tier (merging counts and sketches),
   * and drops what is past the last tier. Each move is one transaction, so a query sees every
   * request exactly once, in one tier or the other.
   */
  async compact(now: Date): Promise<CompactionOutcome> {
    try {
      const outcome = await compactRollups(this.db, this.tiers, now);
      controllerChannels.compaction.publish({ source: this, ...outcome, failed: false });
      return outcome;
    } catch (error) {
      controllerChannels.compaction.publish({ source: this, moved: 0, dropped: 0, failed: true });
      throw error;
    }
  }

  /**
   * Every caller -> callee pair seen since `since` by the callers' proxies, merged over routes: in
   * total and per destination version.
   */
  async edges(since: Date): Promise<EdgeFigures[]> {
    const rows = await this.db.telemetryRollup.findMany({
      where: { reporter: 'source', bucketStart: { gte: since } },
    });
    const edges = new Map<string, { edge: EdgeFigures; versions: Map<string, Figures> }>();
    for (const row of rows) {
      const id = `${row.source} ${row.destination}`;
      let entry = edges.get(id);
      if (entry === undefined) {
        entry = {
          edge: {
            source: row.source,
            destination: row.destination,
            ...emptyFigures(),
            byVersion: [],
          },
          versions: new Map(),
        };
        edges.set(id, entry);
      }
      const latency = LatencySketch.fromBytes(row.sketch);
      addInto(entry.edge, row.requests, row.errors, latency);
      addInto(figuresAt(entry.versions, row.destVersion), row.requests, row.errors, latency);
    }
    return [...edges.values()]
      .map(({ edge, versions }) => ({ ...edge, byVersion: versionList(versions) }))
      .sort((a, b) => `${a.source} ${a.destination}`.localeCompare(`${b.source} ${b.destination}`));
  }

  /**
   * Calls to `destination` (from `source` only, when given) since `since`, as the callers'
   * proxies saw them, merged into steps of `stepSeconds` aligned to the epoch: per destination
   * version and in total, keyed by each step's start (epoch ms). A row from a tier coarser than
   * the step counts in the step its bucket starts in.
   */
  async series(query: {
    destination: string;
    source?: string;
    since: Date;
    stepSeconds: number;
  }): Promise<SeriesFigures> {
    const rows = await this.db.telemetryRollup.findMany({
      where: {
        reporter: 'source',
        destination: query.destination,
        ...(query.source === undefined ? {} : { source: query.source }),
        bucketStart: { gte: query.since },
      },
    });
    const stepMs = query.stepSeconds * 1_000;
    const total = new Map<number, Figures>();
    const versions = new Map<string, Map<number, Figures>>();
    for (const row of rows) {
      const t = Math.floor(row.bucketStart.getTime() / stepMs) * stepMs;
      let steps = versions.get(row.destVersion);
      if (steps === undefined) {
        steps = new Map();
        versions.set(row.destVersion, steps);
      }
      const latency = LatencySketch.fromBytes(row.sketch);
      addInto(figuresAt(total, t), row.requests, row.errors, latency);
      addInto(figuresAt(steps, t), row.requests, row.errors, latency);
    }
    return { total, versions };
  }
}

/** Requests, 5xx errors and the merged latency sketch (milliseconds) of some calls. */
export interface Figures {
  requests: number;
  errors: number;
  readonly latency: LatencySketch;
}

export interface EdgeFigures extends Figures {
  readonly source: string;
  readonly destination: string;
  /** Per destination version, by version name ("" when the call went to no version subset). */
  readonly byVersion: VersionFigures[];
}

export interface SeriesFigures {
  /** Step start (epoch ms) -> figures; steps without calls are absent. */
  readonly total: ReadonlyMap<number, Figures>;
  /** Destination version -> step start -> figures. */
  readonly versions: ReadonlyMap<string, ReadonlyMap<number, Figures>>;
}

export function emptyFigures(): Figures {
  return { requests: 0, errors: 0, latency: LatencySketch.empty() };
}

function addInto(figures: Figures, requests: number, errors: number, latency: LatencySketch): void {
  figures.requests += requests;
  figures.errors += errors;
  figures.latency.merge(latency);
}

function figuresAt<K>(map: Map<K, Figures>, key: K): Figures {
  let figures = map.get(key);
  if (figures === undefined) {
    figures = emptyFigures();
    map.set(key, figures);
  }
  return figures;
}

function versionList(versions: Map<string, Figures>): VersionFigures[] {
  return [...versions]
    .map(([version, figures]) => ({ version, ...figures }))
    .sort((a, b) => a.version.localeCompare(b.version));
}

/** A series' latency sketch as the proxy sent it (serialized, base64). */
export function decodeSketch(base64: string): LatencySketch {
  return LatencySketch.fromBytes(Buffer.from(base64, 'base64'));
}
