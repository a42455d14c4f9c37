// The controller's files are its owner's alone: the database and its WAL hold password, session
// and token hashes and the sealed CA keys, so they are 0600 and the folders Weft makes 0700,
// whatever the umask. Folders that already exist are left as the operator made them.

import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIRECTORY_MODE = 0o700;
/** SQLite's own files beside a database; it creates them with the database file's mode. */
const SQLITE_COMPANIONS = ['-wal', '-shm', '-journal'];

/** Makes `directory` and any missing parents, each 0700. */
export function makePrivateDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
}

/**
 * Creates the database file 0600 before SQLite opens it (SQLite gives its WAL and shared-memory
 * files the database's mode), and tightens one an older version left readable, WAL included.
 */
export function makeDatabaseFilePrivate(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const path of [file, ...SQLITE_COMPANIONS.map((suffix) => file + suffix)])
    if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
}
