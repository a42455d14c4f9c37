// Applies prisma/migrations at controller start, writing the same _prisma_migrations rows as
// `prisma migrate deploy`, so either can run after the other. Prisma's CLI takes a second and a
// schema engine to do this; the controller should start in milliseconds and offline.

import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshError } from '@weft/errors';
import type BetterSqlite3 from 'better-sqlite3';

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: string | null;
  rolled_back_at: string | null;
}

export class MigrationError extends MeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MESH_ERR_MIGRATION', message, options);
  }
}

/** Prisma's timestamp format, so `prisma migrate status` reads our rows as its own. */
const timestamp = () => new Date().toISOString().replace('Z', '+00:00');

/** Applies every pending migration in name order; returns the names it applied. */
export function applyMigrations(db: BetterSqlite3.Database, migrationsDir: string): string[] {
  db.exec(MIGRATIONS_TABLE);
  const rows = db
    .prepare('SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations')
    .all() as MigrationRow[];
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed !== undefined) {
    throw new MigrationError(
      `migration ${failed.migration_name} failed earlier; repair the database (see its logs column) before starting`,
    );
  }
  const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
  const done: string[] = [];
  for (const [name, { sql, checksum }] of readMigrations(migrationsDir)) {
    const previous = applied.get(name);
    if (previous !== undefined) {
      if (previous !== checksum) {
        throw new MigrationError(
          `migration ${name} was edited after it was applied (checksum differs)`,
        );
      }
      continue;
    }
    runMigration(db, name, sql, checksum);
    done.push(name);
  }
  return done;
}

/** The migrations this build ships, in name order, with the checksum Prisma records. */
export function readMigrations(
  migrationsDir: string,
): Map<string, { sql: string; checksum: string }> {
  const names = readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(migrationsDir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
  return new Map(
    names.map((name) => {
      const sql = readFileSync(join(migrationsDir, name, 'migration.sql'));
      const checksum = createHash('sha256').update(sql).digest('hex');
      return [name, { sql: sql.toString('utf8'), checksum }];
    }),
  );
}

function runMigration(
  db: BetterSqlite3.Database,
  name: string,
  sql: string,
  checksum: string,
): void {
  const id = randomUUID();
  db.prepare(
    'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)',
  ).run(id, checksum, name, timestamp());
  // A script that switches foreign keys off (Prisma's table redefinition) cannot run inside a
  // transaction; every other script does, so a crash leaves it wholly applied or not at all.
  const transactional = !/PRAGMA\s+foreign_keys/i.test(sql);
  try {
    if (transactional) db.exec('BEGIN');
    db.exec(sql);
    db.prepare(
      'UPDATE _prisma_migrations SET finished_at = ?, applied_steps_count = 1 WHERE id = ?',
    ).run(timestamp(), id);
    if (transactional) db.exec('COMMIT');
  } catch (error) {
    if (transactional && db.inTransaction) db.exec('ROLLBACK');
    if (transactional) db.prepare('DELETE FROM _prisma_migrations WHERE id = ?').run(id);
    else db.prepare('UPDATE _prisma_migrations SET logs = ? WHERE id = ?').run(String(error), id);
    throw new MigrationError(`migration ${name} failed: ${String(error)}`, { cause: error });
  }
}
