// How far a revision has spread: of the proxies it changed, how many applied it, which refused
// it and why, and how long the slowest took. Proxies it did not change are up to date already.

import type { ProxyRecord } from '../repositories/proxies.ts';

export interface Propagation {
  readonly revision: number;
  readonly affected: number;
  readonly applied: number;
  readonly pending: readonly string[];
  readonly nacked: readonly { proxy: string; error: string }[];
  /** From the revision's creation to the last ACK, once every affected proxy applied it. */
  readonly completedInMs: number | null;
}

export function propagationOf(
  revision: { id: number; createdAt: Date },
  proxies: readonly ProxyRecord[],
): Propagation {
  const affected = proxies.filter((p) => (p.sentRevision ?? 0) >= revision.id);
  const applied = affected.filter(
    (p) => p.ackedVersion !== null && p.ackedVersion === p.sentVersion,
  );
  const nacked = affected
    .filter((p) => p.syncState === 'NACKED')
    .map((p) => ({ proxy: p.id, error: p.nackError ?? '' }));
  const done = applied.length === affected.length;
  const lastAck = Math.max(
    revision.createdAt.getTime(),
    ...applied.map((p) => p.ackedAt?.getTime() ?? 0),
  );
  return {
    revision: revision.id,
    affected: affected.length,
    applied: applied.length,
    pending: affected.filter((p) => !applied.includes(p)).map((p) => p.id),
    nacked,
    completedInMs: done ? lastAck - revision.createdAt.getTime() : null,
  };
}
