// Operators, their sessions and API tokens. Secrets are stored hashed; the repository never
// returns a password hash or a token hash to callers outside it.

import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { ConflictError } from '../errors.ts';
import type { Role } from '../generated/prisma/client.ts';

export type { Role };

export interface User {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly createdAt: Date;
}

/** Who is making a request, and through what credential. */
export interface Principal extends User {
  readonly via: 'session' | 'api-token';
}

export class UserRepository {
  constructor(private readonly db: Db) {}

  async count(): Promise<number> {
    return this.db.user.count();
  }

  async create(username: string, passwordHash: string, role: Role): Promise<User> {
    try {
      const row = await this.db.user.create({
        data: { id: randomUUID(), username, passwordHash, role },
      });
      return toUser(row);
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

  async list(): Promise<User[]> {
    return (await this.db.user.findMany({ orderBy: { username: 'asc' } })).map(toUser);
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

  async createApiToken(
    userId: string,
    name: string,
    secretHash: string,
    role: Role,
    expiresAt?: Date,
  ): Promise<string> {
    const id = randomUUID();
    await this.db.apiToken.create({
      data: {
        id,
        tokenHash: secretHash,
        name,
        userId,
        role,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      },
    });
    return id;
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
