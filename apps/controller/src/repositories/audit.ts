// The audit log: who did what, when, to what, and how it ended. Rows are never updated or deleted.

import type { Db } from '../db/database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export type AuditOutcome = 'OK' | 'DENIED' | 'FAILED';

export interface AuditRecord {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly outcome: AuditOutcome;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface AuditEntry extends Required<AuditRecord> {
  readonly id: number;
  readonly at: Date;
}

type Writer = Pick<Prisma.TransactionClient, 'auditEntry'>;

/** Writes inside the caller's transaction, so a change and its audit row commit together. */
export async function recordAudit(tx: Writer, record: AuditRecord): Promise<void> {
  await tx.auditEntry.create({
    data: {
      actor: record.actor,
      action: record.action,
      target: record.target,
      outcome: record.outcome,
      detail: JSON.stringify(record.detail ?? {}),
    },
  });
}

export class AuditRepository {
  constructor(private readonly db: Db) {}

  record(record: AuditRecord): Promise<void> {
    return recordAudit(this.db, record);
  }

  async list(options: { limit: number; before?: number; target?: string }): Promise<AuditEntry[]> {
    const rows = await this.db.auditEntry.findMany({
      where: {
        ...(options.before === undefined ? {} : { id: { lt: options.before } }),
        ...(options.target === undefined ? {} : { target: options.target }),
      },
      orderBy: { id: 'desc' },
      take: options.limit,
    });
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      action: row.action,
      target: row.target,
      outcome: row.outcome,
      detail: JSON.parse(row.detail) as Record<string, unknown>,
    }));
  }
}
