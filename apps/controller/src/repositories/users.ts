// Operators, their sessions and API tokens. Secrets are stored hashed; the repository never
// returns a password hash or a token hash to callers outside it. Every token expires; disabling
// a user ends their sessions and revokes their tokens in the transaction that disables them.

import { randomUUID } from 'node:crypto';
import {
  type ApiTokenLifetimes,
  DEFAULT_API_TOKEN_MAX_TTL_MS,
  DEFAULT_API_TOKEN_TTL_MS,
} from '../auth/api-tokens.ts';
import type { Db } from '../db/database.ts';
import { ConflictError, NotFoundError, PreconditionError } from '../errors.ts';
import type { Role } from '../generated/prisma/client.ts';
import { type AuditRecord, recordAudit } from './audit.ts';

export type { Role };

export interface User {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly createdAt: Date;
}

/** A user as an admin sees it in the list. */
export interface UserAccount extends User {
  readonly disabledAt: Date | null;
}

/** An API token as listed: never its secret or hash. */
export interface ApiTokenInfo {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly role: Role;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

/** Refused: without this admin nobody could manage users, tokens or certificates any more. */
export class LastAdminError extends PreconditionError {
  constructor(username: string) {
    super(
      `${username} is the last enabled admin: enable or create another admin first, so someone can still manage users`,
    );
  }
}

/** Who is making a request, and through what credential. */
export interface Principal extends User {
  readonly via: 'session' | 'api-token';
}

export class UserRepository {
  constructor(
    private readonly db: Db,
    readonly tokenLifetimes: ApiTokenLifetimes = {
      defaultTtlMs: DEFAULT_API_TOKEN_TTL_MS,
      maxTtlMs: DEFAULT_API_TOKEN_MAX_TTL_MS,
    },
  ) {}

  async count(): Promise<number> {
    return this.db.user.count();
  }

  /** A new user, with its audit row in the same transaction. */
  async create(
    username: string,
    passwordHash: string,
    role: Role,
    audit: (user: User) => AuditRecord,
  ): Promise<User> {
    try {
      return await this.db.$transaction(async (tx) => {
        const user = toUser(
          await tx.user.create({ data: { id: randomUUID(), username, passwordHash, role } }),
        );
        await recordAudit(tx, audit(user));
        return user;
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002')
        throw new ConflictError(`user "${username}"`);
      throw error;
    }
  }

  /** The user and the stored hash, for a login attempt; undefined for an unknown or disabled user. */
  async credentials(username: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const row = await this.db.user.findUnique({ where: { username } });
    if (row === null || row.disabledAt !== null) return undefined;
    return { user: toUser(row), passwordHash: row.passwordHash };
  }

  async list(): Promise<UserAccount[]> {
    return (await this.db.user.findMany({ orderBy: { username: 'asc' } })).map((row) => ({
      ...toUser(row),
      disabledAt: row.disabledAt,
    }));
  }

  /**
   * Disables a user: their sessions are deleted and their live tokens revoked in the same
   * transaction as the change and its audit row, so nothing they held works a moment later.
   * Enabling lets them sign in again; what disabling ended stays ended.
   */
  async setDisabled(
    username: string,
    disabled: boolean,
    audit: Omit<AuditRecord, 'outcome' | 'detail'>,
  ): Promise<UserAccount> {
    return this.db.$transaction(async (tx) => {
      const row = await tx.user.findUnique({ where: { username } });
      if (row === null) throw new NotFoundError(`user "${username}"`);
      if (!disabled) {
        const enabled = await tx.user.update({ where: { id: row.id }, data: { disabledAt: null } });
        await recordAudit(tx, { ...audit, outcome: 'OK', detail: { wasDisabled: row.disabledAt } });
        return { ...toUser(enabled), disabledAt: null };
      }
      if (row.role === 'ADMIN' && row.disabledAt === null) {
        const admins = await tx.user.count({ where: { role: 'ADMIN', disabledAt: null } });
        if (admins <= 1) throw new LastAdminError(username);
      }
      const now = new Date();
      const updated = await tx.user.update({
        where: { id: row.id },
        data: { disabledAt: row.disabledAt ?? now },
      });
      const sessions = await tx.session.deleteMany({ where: { userId: row.id } });
      const tokens = await tx.apiToken.updateMany({
        where: { userId: row.id, revokedAt: null },
        data: { revokedAt: now },
      });
      await recordAudit(tx, {
        ...audit,
        outcome: 'OK',
        detail: { sessionsEnded: sessions.count, tokensRevoked: tokens.count },
      });
      return { ...toUser(updated), disabledAt: updated.disabledAt };
    });
  }

  /**
   * Gives a user another role, with its audit row, in one transaction. Their sessions and tokens
   * act with it from their next request (a token never above its user's current role); the last
   * enabled admin keeps the role, as disabling would lock everyone out of managing users.
   */
  async setRole(
    username: string,
    role: Role,
    audit: Omit<AuditRecord, 'outcome' | 'detail'>,
  ): Promise<UserAccount> {
    return this.db.$transaction(async (tx) => {
      const row = await tx.user.findUnique({ where: { username } });
      if (row === null) throw new NotFoundError(`user "${username}"`);
      if (row.role === 'ADMIN' && role !== 'ADMIN' && row.disabledAt === null) {
        const admins = await tx.user.count({ where: { role: 'ADMIN', disabledAt: null } });
        if (admins <= 1) throw new LastAdminError(username);
      }
      const updated = await tx.user.update({ where: { id: row.id }, data: { role } });
      await recordAudit(tx, { ...audit, outcome: 'OK', detail: { from: row.role, to: role } });
      return { ...toUser(updated), disabledAt: updated.disabledAt };
    });
  }

  async createSession(userId: string, secretHash: string, expiresAt: Date): Promise<void> {
    await this.db.session.create({ data: { id: secretHash, userId, expiresAt } });
  }

  async deleteSession(secretHash: string): Promise<void> {
    await this.db.session.deleteMany({ where: { id: secretHash } });
  }

  async bySession(secretHash: string, now: Date): Promise<Principal | undefined> {
    const row = await this.db.session.findUnique({
      where: { id: secretHash },
      include: { user: true },
    });
    if (row === null || row.expiresAt <= now || row.user.disabledAt !== null) return undefined;
    return { ...toUser(row.user), via: 'session' };
  }

  /**
   * A token for the user, expiring at `expiresAt` or after the default lifetime; with `audit`, its
   * audit row is written in the same transaction.
   */
  async createApiToken(
    userId: string,
    name: string,
    secretHash: string,
    role: Role,
    options: { expiresAt?: Date; audit?: (id: string, expiresAt: Date) => AuditRecord } = {},
  ): Promise<{ id: string; expiresAt: Date }> {
    const id = randomUUID();
    const expiresAt = options.expiresAt ?? new Date(Date.now() + this.tokenLifetimes.defaultTtlMs);
    await this.db.$transaction(async (tx) => {
      await tx.apiToken.create({
        data: { id, tokenHash: secretHash, name, userId, role, expiresAt },
      });
      if (options.audit !== undefined) await recordAudit(tx, options.audit(id, expiresAt));
    });
    return { id, expiresAt };
  }

  /** Tokens, newest last: one user's, or everyone's. */
  async listApiTokens(username?: string): Promise<ApiTokenInfo[]> {
    const rows = await this.db.apiToken.findMany({
      where: username === undefined ? {} : { user: { username } },
      include: { user: { select: { username: true } } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      username: row.user.username,
      role: row.role,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      revokedAt: row.revokedAt,
    }));
  }

  /**
   * Revokes a token at once, with its audit row. `owner` limits it to that user's tokens: another
   * user's token is "not found", so its existence is not revealed either.
   */
  async revokeApiToken(
    id: string,
    owner: string | undefined,
    audit: (token: ApiTokenInfo) => AuditRecord,
  ): Promise<ApiTokenInfo> {
    return this.db.$transaction(async (tx) => {
      const row = await tx.apiToken.findUnique({
        where: { id },
        include: { user: { select: { username: true } } },
      });
      if (row === null || (owner !== undefined && row.user.username !== owner))
        throw new NotFoundError(`API token ${id}${owner === undefined ? '' : ` of ${owner}`}`);
      const revoked = await tx.apiToken.update({
        where: { id },
        data: { revokedAt: row.revokedAt ?? new Date() },
      });
      const info: ApiTokenInfo = {
        id,
        name: row.name,
        username: row.user.username,
        role: row.role,
        createdAt: row.createdAt,
        expiresAt: row.expiresAt,
        revokedAt: revoked.revokedAt,
      };
      await recordAudit(tx, audit(info));
      return info;
    });
  }

  /** A token acts with its own role, never more than its user's current one. */
  async byApiToken(secretHash: string, now: Date): Promise<Principal | undefined> {
    const row = await this.db.apiToken.findUnique({
      where: { tokenHash: secretHash },
      include: { user: true },
    });
    if (row === null || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now))
      return undefined;
    if (row.user.disabledAt !== null) return undefined;
    const role = RANK[row.role] <= RANK[row.user.role] ? row.role : row.user.role;
    return { ...toUser(row.user), role, via: 'api-token' };
  }
}

export const RANK: Record<Role, number> = { VIEWER: 0, OPERATOR: 1, ADMIN: 2 };

function toUser(row: { id: string; username: string; role: Role; createdAt: Date }): User {
  return { id: row.id, username: row.username, role: row.role, createdAt: row.createdAt };
}
