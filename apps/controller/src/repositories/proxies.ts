// The registry: each proxy's workload, where it accepts mTLS, and what it has applied.

import type { WorkloadEndpoint } from '@weft/mesh-config';
import type { Db } from '../db/database.ts';
import type { Prisma, SyncState } from '../generated/prisma/client.ts';
import { type AuditRecord, recordAudit } from './audit.ts';

export type { SyncState };

export interface ProxyRecord extends WorkloadEndpoint {
  readonly lastHeartbeatAt: Date;
  readonly syncState: SyncState;
  readonly sentVersion: string | null;
  /** The configuration revision the last sent snapshot was compiled from. */
  readonly sentRevision: number | null;
  readonly ackedVersion: string | null;
  readonly ackedAt: Date | null;
  readonly nackError: string | null;
  readonly certificateSerial: string | null;
}

export class ProxyRepository {
  constructor(private readonly db: Db) {}

  /**
   * Registers the workload, or re-registers it for the same identity (a proxy that lost its
   * state). An id held by another namespace/service is left as it is: returns the identity that
   * holds it ("namespace/service"), or undefined once registered.
   */
  /**
   * Registers (or re-registers) the proxy with its audit row, in one transaction; returns the
   * identity that holds the id instead, writing nothing, when another one does.
   */
  async register(
    workload: WorkloadEndpoint,
    certificateSerial: string,
    now: Date,
    audit: AuditRecord,
  ): Promise<string | undefined> {
    const data = {
      service: workload.service,
      namespace: workload.namespace,
      version: workload.version ?? null,
      labels: JSON.stringify(workload.labels ?? {}),
      address: workload.address,
      inboundPort: workload.port,
      lastHeartbeatAt: now,
      certificateSerial,
    };
    return this.db.$transaction(async (tx) => {
      const held = await tx.proxy.findUnique({
        where: { id: workload.id },
        select: { namespace: true, service: true },
      });
      if (
        held !== null &&
        (held.namespace !== workload.namespace || held.service !== workload.service)
      )
        return `${held.namespace}/${held.service}`;
      if (held === null) await tx.proxy.create({ data: { id: workload.id, ...data } });
      else await tx.proxy.update({ where: { id: workload.id }, data });
      await recordAudit(tx, audit);
      return undefined;
    });
  }

  /** The identity ("namespace/service") registered under this id, if any. */
  async holderOf(id: string): Promise<string | undefined> {
    const row = await this.db.proxy.findUnique({
      where: { id },
      select: { namespace: true, service: true },
    });
    return row === null ? undefined : `${row.namespace}/${row.service}`;
  }

  /** Takes the proxy out of the registry, with its audit row; returns whether it was there. */
  async remove(id: string, audit: AuditRecord): Promise<boolean> {
    return this.removeWhere({ id }, audit);
  }

  /**
   * Proxies last heard from before `before` (registered and never connected, or away since),
   * with when that was: candidates for removal.
   */
  async silentSince(before: Date): Promise<{ id: string; lastHeartbeatAt: Date }[]> {
    return this.db.proxy.findMany({
      where: { lastHeartbeatAt: { lt: before } },
      select: { id: true, lastHeartbeatAt: true },
      orderBy: { id: 'asc' },
    });
  }

  /** Removes the proxy only if it is still silent since `before`: it may have come back. */
  async removeIfSilent(id: string, before: Date, audit: AuditRecord): Promise<boolean> {
    return this.removeWhere({ id, lastHeartbeatAt: { lt: before } }, audit);
  }

  private removeWhere(where: Prisma.ProxyWhereInput, audit: AuditRecord): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const { count } = await tx.proxy.deleteMany({ where });
      if (count === 1) await recordAudit(tx, audit);
      return count === 1;
    });
  }

  /** A proxy that restarted may listen elsewhere; it says where when it reconnects. Returns whether it moved. */
  async moved(id: string, address: string, port: number, now: Date): Promise<boolean> {
    const { count } = await this.db.proxy.updateMany({
      where: { id, NOT: { address, inboundPort: port } },
      data: { address, inboundPort: port, lastHeartbeatAt: now },
    });
    return count === 1;
  }

  async heartbeat(id: string, now: Date): Promise<boolean> {
    const { count } = await this.db.proxy.updateMany({
      where: { id },
      data: { lastHeartbeatAt: now },
    });
    return count === 1;
  }

  async setCertificate(id: string, serial: string): Promise<void> {
    await this.db.proxy.updateMany({ where: { id }, data: { certificateSerial: serial } });
  }

  async sent(
    id: string,
    snapshot: { version: string; hash: string; revision: number },
    at: Date,
  ): Promise<void> {
    await this.db.proxy.updateMany({
      where: { id },
      data: {
        sentVersion: snapshot.version,
        sentHash: snapshot.hash,
        sentRevision: snapshot.revision,
        sentAt: at,
        syncState: 'STALE',
      },
    });
  }

  /**
   * The proxy applied `version`. Only an answer to the snapshot sent last settles the sync state:
   * one to an older snapshot, arriving late, records what the proxy runs and leaves it STALE.
   */
  async acked(id: string, version: string, hash: string, at: Date): Promise<void> {
    const applied = { ackedVersion: version, ackedHash: hash, ackedAt: at, lastHeartbeatAt: at };
    const { count } = await this.db.proxy.updateMany({
      where: { id, sentVersion: version },
      data: { ...applied, nackError: null, syncState: 'SYNCED' },
    });
    if (count === 0) await this.db.proxy.updateMany({ where: { id }, data: applied });
  }

  /** The proxy refused `version` and keeps what it had; a late refusal of an older one is moot. */
  async nacked(id: string, version: string, error: string, at: Date): Promise<void> {
    const { count } = await this.db.proxy.updateMany({
      where: { id, sentVersion: version },
      data: { nackError: error, syncState: 'NACKED', lastHeartbeatAt: at },
    });
    if (count === 0) await this.heartbeat(id, at);
  }

  async disconnected(id: string): Promise<void> {
    await this.db.proxy.updateMany({ where: { id }, data: { syncState: 'DISCONNECTED' } });
  }

  /** Live workloads: those heard from since `since`; the compiler's endpoints. */
  async live(since: Date): Promise<ProxyRecord[]> {
    return (
      await this.db.proxy.findMany({
        where: { lastHeartbeatAt: { gte: since } },
        orderBy: { id: 'asc' },
      })
    ).map(toRecord);
  }

  /** When any proxy was last heard from (undefined with none registered). */
  async newestHeartbeat(): Promise<Date | undefined> {
    const { _max } = await this.db.proxy.aggregate({ _max: { lastHeartbeatAt: true } });
    return _max.lastHeartbeatAt ?? undefined;
  }

  async get(id: string): Promise<ProxyRecord | undefined> {
    const row = await this.db.proxy.findUnique({ where: { id } });
    return row === null ? undefined : toRecord(row);
  }

  async list(): Promise<ProxyRecord[]> {
    return (await this.db.proxy.findMany({ orderBy: { id: 'asc' } })).map(toRecord);
  }

  /** How many registered proxies are in each sync state (states with none are absent). */
  async countBySyncState(): Promise<Partial<Record<SyncState, number>>> {
    const groups = await this.db.proxy.groupBy({ by: ['syncState'], _count: { _all: true } });
    return Object.fromEntries(groups.map((g) => [g.syncState, g._count._all]));
  }
}

type ProxyRow = Awaited<ReturnType<Db['proxy']['findMany']>>[number];

function toRecord(row: ProxyRow): ProxyRecord {
  return {
    id: row.id,
    service: row.service,
    namespace: row.namespace,
    version: row.version ?? undefined,
    labels: JSON.parse(row.labels) as Record<string, string>,
    address: row.address,
    port: row.inboundPort,
    lastHeartbeatAt: row.lastHeartbeatAt,
    syncState: row.syncState,
    sentVersion: row.sentVersion,
    sentRevision: row.sentRevision,
    ackedVersion: row.ackedVersion,
    ackedAt: row.ackedAt,
    nackError: row.nackError,
    certificateSerial: row.certificateSerial,
  };
}
