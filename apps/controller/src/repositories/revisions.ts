// Revisions of the mesh configuration: each change stores the whole set after it, in one
// transaction with the current-resource table and the audit row.

import {
  canonicalSet,
  diffResourceSets,
  type Resource,
  type ResourceChange,
  resourceSchema,
  resourceSetHash,
} from '@weft/mesh-config';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import type { RevisionSource } from '../generated/prisma/client.ts';
import { type AuditRecord, recordAudit } from './audit.ts';

export type { RevisionSource };

export interface RevisionMeta {
  readonly author: string;
  readonly message: string;
  readonly source: RevisionSource;
  readonly restoredFrom?: number;
}

export interface RevisionSummary {
  readonly id: number;
  readonly createdAt: Date;
  readonly author: string;
  readonly message: string;
  readonly source: RevisionSource;
  readonly restoredFrom: number | null;
  readonly changes: readonly { key: string; action: ResourceChange['action'] }[];
}

export interface Revision extends RevisionSummary {
  readonly resources: Resource[];
  readonly resourcesHash: string;
}

export type ChangeOutcome =
  | { readonly changed: true; readonly revision: Revision; readonly changes: ResourceChange[] }
  | { readonly changed: false; readonly revision: Revision | undefined };

const storedSet = z.array(resourceSchema);
const ACTION_OF = { created: 'CREATED', updated: 'UPDATED', deleted: 'DELETED' } as const;
const ACTION_FROM = { CREATED: 'created', UPDATED: 'updated', DELETED: 'deleted' } as const;

export class RevisionRepository {
  constructor(private readonly db: Db) {}

  /**
   * Runs `compute` on the set in force and stores its result as a new revision. `compute` may
   * throw (a validation error): then nothing is written. An unchanged set makes no revision.
   */
  async change(
    meta: RevisionMeta,
    compute: (current: Resource[]) => Resource[],
    audit: (changes: ResourceChange[], revisionId: number) => AuditRecord,
  ): Promise<ChangeOutcome> {
    return this.db.$transaction(async (tx) => {
      const latest = await tx.revision.findFirst({
        orderBy: { id: 'desc' },
        include: { changes: true },
      });
      const current = latest === null ? [] : parseSet(latest.resources);
      const next = canonicalSet(compute(current));
      const changes = diffResourceSets(current, next);
      if (changes.length === 0)
        return { changed: false, revision: latest === null ? undefined : toRevision(latest) };

      const row = await tx.revision.create({
        data: {
          author: meta.author,
          message: meta.message,
          source: meta.source,
          restoredFrom: meta.restoredFrom ?? null,
          resources: JSON.stringify(next),
          resourcesHash: resourceSetHash(next),
          changes: {
            create: changes.map((c) => {
              const [kind = '', namespace = '', name = ''] = c.key.split('/');
              return { kind, namespace, name, action: ACTION_OF[c.action] };
            }),
          },
        },
        include: { changes: true },
      });
      for (const change of changes) {
        const [kind = '', namespace = '', name = ''] = change.key.split('/');
        const id = { kind_namespace_name: { kind, namespace, name } };
        if (change.after === undefined) {
          await tx.currentResource.delete({ where: id });
        } else {
          const document = JSON.stringify(change.after);
          await tx.currentResource.upsert({
            where: id,
            create: { kind, namespace, name, document, revisionId: row.id },
            update: { document, revisionId: row.id },
          });
        }
      }
      await recordAudit(tx, audit(changes, row.id));
      return { changed: true, revision: toRevision(row), changes };
    });
  }

  async current(): Promise<Resource[]> {
    const rows = await this.db.currentResource.findMany({
      orderBy: [{ kind: 'asc' }, { namespace: 'asc' }, { name: 'asc' }],
    });
    return canonicalSet(storedSet.parse(rows.map((r) => JSON.parse(r.document))));
  }

  /**
   * Every Service in force, as "namespace/name": read from the keys alone, without loading and
   * parsing every document (every telemetry upload asks).
   */
  async serviceNames(): Promise<Set<string>> {
    const rows = await this.db.currentResource.findMany({
      where: { kind: 'Service' },
      select: { namespace: true, name: true },
    });
    return new Set(rows.map((r) => `${r.namespace}/${r.name}`));
  }

  async get(id: number): Promise<Revision | undefined> {
    const row = await this.db.revision.findUnique({ where: { id }, include: { changes: true } });
    return row === null ? undefined : toRevision(row);
  }

  async latest(): Promise<Revision | undefined> {
    const row = await this.db.revision.findFirst({
      orderBy: { id: 'desc' },
      include: { changes: true },
    });
    return row === null ? undefined : toRevision(row);
  }

  /** The newest revision's id, 0 before the first; cheaper than latest() when only the id counts. */
  async latestId(): Promise<number> {
    const row = await this.db.revision.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    return row?.id ?? 0;
  }

  /** Newest first; `before` pages backwards from a revision id. */
  async list(options: { limit: number; before?: number }): Promise<RevisionSummary[]> {
    const rows = await this.db.revision.findMany({
      where: options.before === undefined ? {} : { id: { lt: options.before } },
      orderBy: { id: 'desc' },
      take: options.limit,
      include: { changes: true },
    });
    return rows.map(toSummary);
  }
}

type RevisionRow = {
  id: number;
  createdAt: Date;
  author: string;
  message: string;
  source: RevisionSource;
  restoredFrom: number | null;
  resources: string;
  resourcesHash: string;
  changes: { kind: string; namespace: string; name: string; action: keyof typeof ACTION_FROM }[];
};

function toSummary(row: RevisionRow): RevisionSummary {
  return {
    id: row.id,
    createdAt: row.createdAt,
    author: row.author,
    message: row.message,
    source: row.source,
    restoredFrom: row.restoredFrom,
    changes: row.changes
      .map((c) => ({ key: `${c.kind}/${c.namespace}/${c.name}`, action: ACTION_FROM[c.action] }))
      .sort((a, b) => a.key.localeCompare(b.key)),
  };
}

function toRevision(row: RevisionRow): Revision {
  return {
    ...toSummary(row),
    resources: parseSet(row.resources),
    resourcesHash: row.resourcesHash,
  };
}

function parseSet(text: string): Resource[] {
  return storedSet.parse(JSON.parse(text));
}
