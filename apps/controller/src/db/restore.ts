// Puts a backup in place as a controller's database. Everything is checked before anything is
// touched: the manifest, the snapshot's checksum and integrity, its migration level against this
// build, and that the sealing key at hand unseals its CA keys. Then the snapshot is copied beside
// the target, flushed, and renamed over it; a database already there is kept beside it, and one
// a running controller holds open is refused unless forced.

import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { link, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import {
  sealingKeyFileFor,
  sealingKeyFingerprint,
  writeSealingKeyFile,
} from '../ca/sealing-key.ts';
import {
  BACKUP_DATABASE,
  BACKUP_MANIFEST,
  BackupError,
  type BackupManifest,
  checkCaKeys,
  inspectSnapshot,
  manifestSchema,
  sha256Of,
} from './backup.ts';
import { MIGRATIONS_DIR } from './database.ts';
import { syncDirectory, syncFile, temporaryBeside } from './durable-files.ts';
import { readMigrations } from './migrate.ts';
import { makePrivateDirectory, PRIVATE_FILE_MODE } from './private-files.ts';

export interface RestoreOutcome {
  readonly manifest: BackupManifest;
  readonly databaseFile: string;
  /** Where the database that was there before now is, if there was one. */
  readonly previous: string | undefined;
  /** Migrations this build will apply at the controller's next start. */
  readonly pending: string[];
  /** The key file written beside the database, when the key came from --ca-key-file. */
  readonly keyFile: string | undefined;
  /** A controller had the replaced database open (--force): it must be stopped now. */
  readonly replacedInUse: boolean;
}

/** The manifest of a backup directory, its snapshot matching the checksum it records. */
export async function readBackup(directory: string): Promise<BackupManifest> {
  let text: string;
  try {
    text = await readFile(join(directory, BACKUP_MANIFEST), 'utf8');
  } catch (error) {
    throw new BackupError(`${directory} is not a Weft backup (no ${BACKUP_MANIFEST})`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BackupError(`${BACKUP_MANIFEST} in ${directory} is not JSON`, { cause: error });
  }
  const manifest = manifestSchema.safeParse(parsed);
  if (!manifest.success)
    throw new BackupError(`${BACKUP_MANIFEST} in ${directory}: ${manifest.error.message}`);
  const snapshot = join(directory, BACKUP_DATABASE);
  if (!existsSync(snapshot)) throw new BackupError(`${snapshot} is missing`);
  if ((await sha256Of(snapshot)) !== manifest.data.database.sha256)
    throw new BackupError(`${snapshot} does not match its manifest (damaged or altered)`);
  return manifest.data;
}

/** Refuses a snapshot this build cannot run: migrations it does not know or knows differently. */
function pendingMigrations(applied: readonly { name: string; checksum: string }[]): string[] {
  const known = readMigrations(MIGRATIONS_DIR);
  for (const { name, checksum } of applied) {
    const ours = known.get(name);
    if (ours === undefined)
      throw new BackupError(
        `the backup has migration ${name}, which this weft does not know: restore it with the version that made it`,
      );
    if (ours.checksum !== checksum)
      throw new BackupError(`migration ${name} in the backup differs from this weft's`);
  }
  const done = new Set(applied.map((m) => m.name));
  return [...known.keys()].filter((name) => !done.has(name));
}

/** True when another connection (a running controller) has the database open. */
export function databaseInUse(file: string): boolean {
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    // In WAL mode every open connection holds a shared lock on the file; an exclusive one is
    // granted only to the sole user. Being alone, fold the WAL in so the file stands by itself.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw new BackupError(`${file} is not a database that can be replaced: ${String(error)}`, {
      cause: error,
    });
  } finally {
    db.close();
  }
}

export async function restoreBackup(params: {
  backup: string;
  databaseFile: string;
  /** Replace a database that is there, even one a running controller holds open. */
  force: boolean;
  sealingKey: Buffer | undefined;
  sealingKeySource: string;
  /** Write the key beside the restored database (it came from a file given for the purpose). */
  installKey: boolean;
  now?: Date;
}): Promise<RestoreOutcome> {
  const target = resolve(params.databaseFile);
  const manifest = await readBackup(params.backup);
  const facts = inspectSnapshot(join(params.backup, BACKUP_DATABASE));
  const pending = pendingMigrations(facts.migrations);
  checkCaKeys(facts, params.sealingKey, params.sealingKeySource);
  if (
    manifest.ca !== null &&
    params.sealingKey !== undefined &&
    sealingKeyFingerprint(params.sealingKey) !== manifest.ca.sealingKeyFingerprint
  )
    throw new BackupError('the sealing key is not the one the manifest names');

  const keyFile = sealingKeyFileFor(target);
  const installKey = params.installKey ? params.sealingKey : undefined;
  const presentKey = existsSync(keyFile)
    ? Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64')
    : undefined;
  const replacesKey =
    installKey !== undefined && presentKey !== undefined && !presentKey.equals(installKey);
  if (replacesKey && !params.force)
    throw new BackupError(
      `${keyFile} holds another key; --force replaces it (it is kept beside it)`,
    );
  let replacedInUse = false;
  if (existsSync(target)) {
    replacedInUse = databaseInUse(target);
    if (replacedInUse && !params.force)
      throw new BackupError(
        `${target} is open in a running controller: stop it first (--force replaces it anyway)`,
      );
    if (!params.force)
      throw new BackupError(`${target} exists; --force replaces it (it is kept beside it)`);
  }

  // The copy is complete and flushed before it takes the target's name.
  makePrivateDirectory(dirname(target));
  const incoming = temporaryBeside(target, 'restore');
  // Written 0600 from the first byte: a copy would take the backup's mode, 0644 in older backups.
  await pipeline(
    createReadStream(join(params.backup, BACKUP_DATABASE)),
    createWriteStream(incoming, { flags: 'wx', mode: PRIVATE_FILE_MODE }),
  );
  try {
    await syncFile(incoming);
    inspectSnapshot(incoming);
    const stamp = (params.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
    // The key first: a database in place whose key is not would start a controller that makes
    // a new key and cannot unseal its CA.
    if (installKey !== undefined && (presentKey === undefined || replacesKey)) {
      if (replacesKey) await link(keyFile, `${keyFile}.before-restore-${stamp}`);
      await writeSealingKeyFile(keyFile, installKey, { replace: replacesKey });
    }
    const previous = existsSync(target) ? await keepAside(target, stamp) : undefined;
    await rename(incoming, target);
    await syncDirectory(dirname(target));
    return {
      manifest,
      databaseFile: target,
      previous,
      pending,
      keyFile: installKey === undefined ? undefined : keyFile,
      replacedInUse,
    };
  } catch (error) {
    await rm(incoming, { force: true });
    throw error;
  }
}

/**
 * Links the database (and its WAL and shared-memory files, which belong to it) under a dated
 * name, then takes the old names away, so the restored file never meets the old WAL.
 */
async function keepAside(target: string, stamp: string): Promise<string> {
  const aside = `${target}.before-restore-${stamp}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (!existsSync(target + suffix)) continue;
    await link(target + suffix, aside + suffix);
  }
  for (const suffix of ['-wal', '-shm']) await unlink(target + suffix).catch(() => undefined);
  return aside;
}
