// The upgrade to expiring API tokens, on a real SQLite file: a token made before expiry existed
// (expiresAt NULL) gets the default lifetime when the controller's migrations run, in the format
// Prisma reads back, and keeps working until then.

import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_TOKEN_TTL_MS } from '../src/auth/api-tokens.ts';
import { hashSecret } from '../src/auth/secrets.ts';
import { MIGRATIONS_DIR, openDatabase } from '../src/db/database.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { UserRepository } from '../src/repositories/users.ts';

const EXPIRY_MIGRATION = '20261204160000_api_token_expiry';
const TOKEN = 'weft_api_from_before';
/** The test's clock and SQLite's may be read this far apart. */
const CLOCK_SLACK_MS = 60_000;

describe('upgrade to expiring API tokens', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('gives a token without an expiry the default lifetime from the upgrade', async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-token-upgrade-'));
    const before = join(dir, 'migrations-before');
    await cp(MIGRATIONS_DIR, before, {
      recursive: true,
      filter: (source) => !source.includes(EXPIRY_MIGRATION),
    });
    const file = join(dir, 'weft.db');
    const raw = new Database(file);
    applyMigrations(raw, before);
    raw
      .prepare('INSERT INTO "User" (id, username, passwordHash, role) VALUES (?, ?, ?, ?)')
      .run('u1', 'olga', 'not-a-hash', 'OPERATOR');
    raw
      .prepare('INSERT INTO "ApiToken" (id, tokenHash, name, userId, role) VALUES (?, ?, ?, ?, ?)')
      .run('t1', hashSecret(TOKEN), 'cli', 'u1', 'OPERATOR');
    raw.close();

    const upgradedAt = Date.now();
    const opened = await openDatabase(file);
    try {
      expect(opened.migrated).toEqual([EXPIRY_MIGRATION]);
      const users = new UserRepository(opened.db);
      const [token] = await users.listApiTokens();
      expect(token?.expiresAt).toBeInstanceOf(Date);
      const lifetime = (token?.expiresAt?.getTime() ?? 0) - upgradedAt;
      expect(Math.abs(lifetime - DEFAULT_API_TOKEN_TTL_MS)).toBeLessThan(CLOCK_SLACK_MS);
      expect((await users.byApiToken(hashSecret(TOKEN), new Date()))?.username).toBe('olga');
      const afterExpiry = new Date(upgradedAt + DEFAULT_API_TOKEN_TTL_MS + CLOCK_SLACK_MS);
      expect(await users.byApiToken(hashSecret(TOKEN), afterExpiry)).toBeUndefined();
    } finally {
      await opened.db.$disconnect();
    }
  });
});
