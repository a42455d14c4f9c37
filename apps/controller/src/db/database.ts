// Opens the controller's database: creates the file (0600), applies migrations, returns a Prisma
// client.

import { dirname, join, resolve } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import { PrismaClient } from '../generated/prisma/client.ts';
import { applyMigrations } from './migrate.ts';
import { makeDatabaseFilePrivate, makePrivateDirectory } from './private-files.ts';

export const DEFAULT_DATABASE_FILE = '.weft/weft.db';
export const MIGRATIONS_DIR = join(import.meta.dirname, '../../../../prisma/migrations');
/** How long a writer waits for another to finish before SQLite reports the database busy. */
const BUSY_TIMEOUT_MS = 5_000;

export type Db = PrismaClient;

export interface OpenedDatabase {
  readonly db: Db;
  readonly file: string;
  /** Migrations this open applied, in order; empty when the schema was current. */
  readonly migrated: string[];
}

export async function openDatabase(file: string = DEFAULT_DATABASE_FILE): Promise<OpenedDatabase> {
  const path = resolve(file);
  makePrivateDirectory(dirname(path));
  makeDatabaseFilePrivate(path);
  const raw = new Database(path);
  let migrated: string[];
  try {
    // WAL lets the console read while the controller writes; it is a property of the file.
    raw.pragma('journal_mode = WAL');
    migrated = applyMigrations(raw, MIGRATIONS_DIR);
  } finally {
    raw.close();
  }
  const adapter = new PrismaBetterSQLite3({ url: `file:${path}`, timeout: BUSY_TIMEOUT_MS });
  const db = new PrismaClient({ adapter });
  await db.$connect();
  return { db, file: path, migrated };
}
