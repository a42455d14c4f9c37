// Join tokens: a proxy's first credential, stored as a hash, bound to one service, expiring,
// single- or multi-use. Using one is atomic: two proxies cannot both take the last use.

import { randomUUID } from 'node:crypto';
import { MeshError } from '@weft/errors';
import type { Db } from '../db/database.ts';
import { NotFoundError } from '../errors.ts';
import { type AuditRecord, recordAudit } from './audit.ts';

export type JoinRefusal = 'unknown' | 'expired' | 'used-up' | 'revoked';

export class JoinTokenError extends MeshError {
  constructor(readonly refusal: JoinRefusal) {
    super(
      'MESH_ERR_JOIN_TOKEN',
      `the join token is ${refusal === 'unknown' ? 'not valid' : refusal}`,
    );
  }
}

export interface JoinTokenGrant {
  readonly tokenId: string;
  readonly service: string;
  readonly namespace: string;
}

/** What a listed token shows: never its secret or hash. */
const LISTED = {
  id: true,
  service: true,
  namespace: true,
  expiresAt: true,
  maxUses: true,
  uses: true,
  createdBy: true,
  createdAt: true,
} as const;

/** A join token as listed. */
export interface JoinTokenInfo {
  readonly id: string;
  readonly service: string;
  readonly namespace: string;
  readonly expiresAt: Date;
  readonly maxUses: number | null;
  readonly uses: number;
  readonly createdBy: string;
  readonly createdAt: Date;
}

export class JoinTokenRepository {
  constructor(private readonly db: Db) {}

  async create(
    token: {
      tokenHash: string;
      service: string;
      namespace: string;
      expiresAt: Date;
      maxUses: number | null;
      createdBy: string;
    },
    audit: (id: string) => AuditRecord,
  ): Promise<string> {
    const id = randomUUID();
    await this.db.$transaction(async (tx) => {
      await tx.joinToken.create({ data: { id, ...token } });
      await recordAudit(tx, audit(id));
    });
    return id;
  }

  /**
   * What the token grants, or JoinTokenError saying why not, without taking a use: a request is
   * checked before it spends one.
   */
  async check(tokenHash: string, now: Date): Promise<JoinTokenGrant> {
    const token = await this.db.joinToken.findUnique({ where: { tokenHash } });
    refuseUnusable(token, now);
    if (token.maxUses !== null && token.uses >= token.maxUses) throw new JoinTokenError('used-up');
    return grantOf(token);
  }

  /** Takes one use of the token, or throws JoinTokenError saying why not. */
  async consume(tokenHash: string, now: Date): Promise<JoinTokenGrant> {
    return this.db.$transaction(async (tx) => {
      const token = await tx.joinToken.findUnique({ where: { tokenHash } });
      refuseUnusable(token, now);
      const { count } = await tx.joinToken.updateMany({
        where: { id: token.id, ...(token.maxUses === null ? {} : { uses: { lt: token.maxUses } }) },
        data: { uses: { increment: 1 } },
      });
      if (count === 0) throw new JoinTokenError('used-up');
      return grantOf(token);
    });
  }

  async list(): Promise<JoinTokenInfo[]> {
    return this.db.joinToken.findMany({
      where: { revokedAt: null },
      orderBy: { createdAt: 'desc' },
      select: LISTED,
    });
  }

  /**
   * Ends a token now, with its audit row: no proxy can join with it any more (those that joined
   * keep their identity). A token already expired keeps its earlier time; a revoked one is not
   * listed, so it is "not found" here too.
   */
  async expire(
    id: string,
    now: Date,
    audit: (token: JoinTokenInfo) => AuditRecord,
  ): Promise<JoinTokenInfo> {
    return this.db.$transaction(async (tx) => {
      const row = await tx.joinToken.findUnique({ where: { id } });
      if (row === null || row.revokedAt !== null) throw new NotFoundError(`join token ${id}`);
      const info = await tx.joinToken.update({
        where: { id },
        data: { expiresAt: row.expiresAt <= now ? row.expiresAt : now },
        select: LISTED,
      });
      await recordAudit(tx, audit(info));
      return info;
    });
  }
}

type JoinTokenRow = NonNullable<Awaited<ReturnType<Db['joinToken']['findUnique']>>>;

function refuseUnusable(token: JoinTokenRow | null, now: Date): asserts token is JoinTokenRow {
  if (token === null) throw new JoinTokenError('unknown');
  if (token.revokedAt !== null) throw new JoinTokenError('revoked');
  if (token.expiresAt <= now) throw new JoinTokenError('expired');
}

function grantOf(token: JoinTokenRow): JoinTokenGrant {
  return { tokenId: token.id, service: token.service, namespace: token.namespace };
}
