// Rollup tiers (how wide each tier's buckets are, how long it keeps them), read from
// WEFT_TELEMETRY_TIERS and checked so that compaction can always move a bucket whole into the
// next tier and every tier holds more history than the one before it.

import { formatDuration, parseDuration } from '@weft/mesh-config';

export interface RollupTier {
  /** Bucket width; buckets start at whole multiples of it since the epoch. */
  readonly seconds: number;
  /** A bucket older than this moves to the next tier (or is dropped after the last one). */
  readonly keepMs: number;
}

/** 10 s buckets kept 1 h, 1 min kept 24 h, 10 min kept 7 days: finest first. */
export const DEFAULT_TELEMETRY_TIERS = '10s:1h,1m:24h,10m:7d';

const MS_PER_S = 1_000;
/** Enough for any sensible ladder; more would only cost compaction queries. */
export const MAX_TIERS = 8;

export class TierSpecError extends Error {
  override readonly name = 'TierSpecError';
}

/**
 * Parses "bucket:retention" pairs, finest first, e.g. "10s:1h,1m:24h,10m:7d". Throws a
 * TierSpecError naming the part that is wrong and why.
 */
export function parseTiers(text: string): RollupTier[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length > MAX_TIERS) {
    throw new TierSpecError(`${parts.length} tiers given, at most ${MAX_TIERS} are allowed`);
  }
  const tiers: RollupTier[] = [];
  for (const [index, part] of parts.entries()) {
    const where = `tier ${index + 1} "${part}"`;
    const fields = part.split(':');
    if (fields.length !== 2) {
      throw new TierSpecError(
        `${where}: expected bucket:retention such as 10s:1h (tiers separated by commas)`,
      );
    }
    const [bucketText = '', keepText = ''] = fields;
    const bucketMs = parseDuration(bucketText);
    if (bucketMs === undefined || bucketMs < MS_PER_S || bucketMs % MS_PER_S !== 0) {
      throw new TierSpecError(
        `${where}: bucket "${bucketText}" must be a whole number of seconds, at least 1s (e.g. 10s, 1m)`,
      );
    }
    const keepMs = parseDuration(keepText);
    if (keepMs === undefined || keepMs < bucketMs) {
      throw new TierSpecError(
        `${where}: retention "${keepText}" must be a duration of at least one bucket (${bucketText})`,
      );
    }
    const previous = tiers[index - 1];
    if (previous !== undefined) {
      const previousBucketMs = previous.seconds * MS_PER_S;
      if (bucketMs <= previousBucketMs || bucketMs % previousBucketMs !== 0) {
        throw new TierSpecError(
          `${where}: bucket ${bucketText} must be a larger multiple of the previous tier's ${formatDuration(previousBucketMs)}, so each bucket moves whole into one of the next tier`,
        );
      }
      if (keepMs <= previous.keepMs) {
        throw new TierSpecError(
          `${where}: retention ${keepText} must be longer than the previous tier's ${formatDuration(previous.keepMs)}`,
        );
      }
    }
    tiers.push({ seconds: bucketMs / MS_PER_S, keepMs });
  }
  return tiers;
}

/** The tiers as WEFT_TELEMETRY_TIERS spells them. */
export function formatTiers(tiers: readonly RollupTier[]): string {
  return tiers
    .map((tier) => `${formatDuration(tier.seconds * MS_PER_S)}:${formatDuration(tier.keepMs)}`)
    .join(',');
}

export const DEFAULT_TIERS: readonly RollupTier[] = parseTiers(DEFAULT_TELEMETRY_TIERS);
