// The one way counts and a latency sketch are added into a rollup row, shared by ingest (a
// proxy's batch into the finest tier) and compaction (a bucket into a coarser tier).

import { LatencySketch, type Reporter } from '@weft/telemetry';
import type { Db } from '../db/database.ts';

export type Transaction = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface RollupKey {
  readonly tierSeconds: number;
  readonly bucketStart: Date;
  readonly reporter: Reporter;
  readonly source: string;
  readonly destination: string;
  readonly destVersion: string;
  readonly route: string;
  readonly statusClass: string;
}

/** Adds counts and a sketch into the rollup row of `key`, creating the row if it is new. */
export async function mergeInto(
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
    where: {
      tierSeconds_bucketStart_reporter_source_destination_destVersion_route_statusClass: key,
    },
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
