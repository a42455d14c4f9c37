// Backups of the controller's database, safe while it runs: `VACUUM INTO` copies one read
// transaction (WAL lets the controller write meanwhile), so the copy is a consistent snapshot.
// A backup is a directory: the snapshot and a manifest. The CA keys travel inside the snapshot,
// sealed; the sealing key never travels (WEFT_CA_KEY or ca-sealing.key is kept apart, like any
// secret), so the backup alone reveals no private key. The manifest names the key by fingerprint
// and the backup is only written once that key has unsealed every CA key in the snapshot.

import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MeshError } from '@weft/errors';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { unseal } from '../ca/sealing.ts';
import { sealingKeyFingerprint } from '../ca/sealing-key.ts';
import { syncDirectory, syncFile, temporaryBeside } from './durable-files.ts';
import {
  makePrivateDirectory,
  PRIVATE_DIRECTORY_MODE,
  PRIVATE_FILE_MODE,
} from './private-files.ts';

export const BACKUP_FORMAT = 'weft-backup/1';
export const BACKUP_DATABASE = 'weft.db';
export const BACKUP_MANIFEST = 'manifest.json';

export class BackupError extends MeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MESH_ERR_BACKUP', message, options);
  }
}

const counts = z.object({
  revisions: z.number().int(),
  users: z.number().int(),
  certificates: z.number().int(),
  caKeys: z.number().int(),
});

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.string(),
  source: z.string(),
  database: z.object({
    file: z.literal(BACKUP_DATABASE),
    bytes: z.number().int(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  /** Applied migrations, oldest first: what a restoring build must know. */
  migrations: z.array(z.string()),
  latestRevision: z.number().int(),
  counts,
  /** The CA keys are sealed in the database; this key (not in the backup) unseals them. */
  ca: z
    .object({ sealingKeyFingerprint: z.string(), sealingKeyIncluded: z.literal(false) })
    .nullable(),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

export interface SnapshotFacts {
  readonly migrations: { name: string; checksum: string }[];
  readonly latestRevision: number;
  readonly counts: z.infer<typeof counts>;
  readonly caKeys: { serial: string; sealedKey: string }[];
}

/** What a database file holds, checked on the way: integrity, and no half-applied migration. */
export function inspectSnapshot(file: string): SnapshotFacts {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${file} cannot be opened: ${String(error)}`, { cause: error });
  }
  try {
    const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
    if (integrity.length !== 1 || integrity[0]?.integrity_check !== 'ok') {
      throw new BackupError(
        `${file} fails its integrity check: ${integrity.map((r) => r.integrity_check).join('; ')}`,
      );
    }
    const migrations = db
      .prepare(
        'SELECT migration_name AS name, checksum, finished_at AS finished, rolled_back_at AS rolledBack FROM _prisma_migrations ORDER BY migration_name',
      )
      .all() as {
      name: string;
      checksum: string;
      finished: string | null;
      rolledBack: string | null;
    }[];
    const unfinished = migrations.find((m) => m.finished === null && m.rolledBack === null);
    if (unfinished !== undefined)
      throw new BackupError(`${file}: migration ${unfinished.name} did not finish`);
    const count = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
    const latest = db.prepare('SELECT max(id) AS id FROM Revision').get() as { id: number | null };
    return {
      migrations: migrations
        .filter((m) => m.rolledBack === null)
        .map(({ name, checksum }) => ({ name, checksum })),
      latestRevision: latest.id ?? 0,
      counts: {
        revisions: count('Revision'),
        users: count('User'),
        certificates: count('Certificate'),
        caKeys: count('CaKey'),
      },
      caKeys: db.prepare('SELECT serial, sealedKey FROM CaKey').all() as SnapshotFacts['caKeys'],
    };
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} is not a Weft database: ${String(error)}`, { cause: error });
  } finally {
    db.close();
  }
}

/** Unseals every CA key with `key` (in memory only); throws naming the key it needs. */
export function checkCaKeys(facts: SnapshotFacts, key: Buffer | undefined, where: string): void {
  if (facts.caKeys.length === 0) return;
  if (key === undefined) {
    throw new BackupError(
      `the CA keys are sealed and no sealing key was found (${where}); without it the CA cannot be used`,
    );
  }
  for (const { serial, sealedKey } of facts.caKeys) {
    try {
      unseal(sealedKey, key);
    } catch (error) {
      throw new BackupError(
        `the sealing key ${sealingKeyFingerprint(key)} (${where}) does not unseal CA key ${serial}`,
        { cause: error },
      );
    }
  }
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Writes a backup of `databaseFile` into the new directory `out`: the snapshot and its manifest,
 * both flushed, the directory appearing whole (it is built beside and renamed into place).
 */
export async function createBackup(params: {
  databaseFile: string;
  out: string;
  /** The key the CA keys are sealed with; checked against every one of them. */
  sealingKey: Buffer | undefined;
  /** Where the key was looked for, for the message when it is missing or wrong. */
  sealingKeySource: string;
  now?: Date;
}): Promise<BackupManifest> {
  const source = resolve(params.databaseFile);
  const out = resolve(params.out);
  if (!existsSync(source)) throw new BackupError(`${source} does not exist`);
  if (existsSync(out)) throw new BackupError(`${out} already exists; give a new directory`);
  makePrivateDirectory(dirname(out));
  const partial = temporaryBeside(out, 'partial');
  await mkdir(partial, { mode: PRIVATE_DIRECTORY_MODE });
  try {
    const snapshot = join(partial, BACKUP_DATABASE);
    // VACUUM INTO fills an empty file it is given, keeping its mode; one it made would be 0644.
    await writeFile(snapshot, '', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      db.prepare('VACUUM INTO ?').run(snapshot);
    } finally {
      db.close();
    }
    const facts = inspectSnapshot(snapshot);
    checkCaKeys(facts, params.sealingKey, params.sealingKeySource);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      createdAt: (params.now ?? new Date()).toISOString(),
      source,
      database: {
        file: BACKUP_DATABASE,
        bytes: (await stat(snapshot)).size,
        sha256: await sha256Of(snapshot),
      },
      migrations: facts.migrations.map((m) => m.name),
      latestRevision: facts.latestRevision,
      counts: facts.counts,
      ca:
        facts.caKeys.length === 0 || params.sealingKey === undefined
          ? null
          : {
              sealingKeyFingerprint: sealingKeyFingerprint(params.sealingKey),
              sealingKeyIncluded: false,
            },
    };
    await syncFile(snapshot);
    await writeFile(join(partial, BACKUP_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: PRIVATE_FILE_MODE,
      flag: 'wx',
    });
    await syncFile(join(partial, BACKUP_MANIFEST));
    await syncDirectory(partial);
    await rename(partial, out);
    await syncDirectory(dirname(out));
    return manifest;
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}
