// The upgrade that gives a sent snapshot's revision its own column, on a real SQLite file: a
// proxy registered before it gets the revision its sent version names ("r12.40" -> 12), and one
// sent nothing yet gets none.

import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, openDatabase } from '../src/db/database.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { ProxyRepository } from '../src/repositories/proxies.ts';

const REVISION_MIGRATION = '20261204180000_proxy_sent_revision';
/** Prisma's DateTime format in SQLite. */
const HEARD_AT = '2026-12-01T00:00:00.000+00:00';

describe('upgrade to a stored sent revision', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('fills the column from the versions already sent', async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-revision-upgrade-'));
    const before = join(dir, 'migrations-before');
    await cp(MIGRATIONS_DIR, before, {
      recursive: true,
      filter: (source) => !source.includes(REVISION_MIGRATION),
    });
    const file = join(dir, 'weft.db');
    const raw = new Database(file);
    applyMigrations(raw, before);
    const insert = raw.prepare(
      'INSERT INTO "Proxy" (id, service, namespace, address, inboundPort, lastHeartbeatAt, sentVersion) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    insert.run('sent-12', 'catalog', 'shop', '127.0.0.1', 7001, HEARD_AT, 'r12.40');
    insert.run('sent-3', 'catalog', 'shop', '127.0.0.1', 7002, HEARD_AT, 'r3.1');
    insert.run('never-sent', 'catalog', 'shop', '127.0.0.1', 7003, HEARD_AT, null);
    raw.close();

    const opened = await openDatabase(file);
    try {
      expect(opened.migrated).toEqual([REVISION_MIGRATION]);
      const fleet = await new ProxyRepository(opened.db).list();
      expect(fleet.map((p) => [p.id, p.sentVersion, p.sentRevision])).toEqual([
        ['never-sent', null, null],
        ['sent-12', 'r12.40', 12],
        ['sent-3', 'r3.1', 3],
      ]);
    } finally {
      await opened.db.$disconnect();
    }
  });
});
