// Files written whole or not at all, and durable once written: a temporary file beside the
// target, flushed, then linked or renamed in place, then the directory flushed.

import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A name beside `file` for writing before it takes `file`'s place. */
export function temporaryBeside(file: string, purpose = 'tmp'): string {
  return join(dirname(file), `.${basename(file)}.${purpose}-${randomBytes(6).toString('hex')}`);
}

/**
 * Writes `data` to `file`: in place at once, never half. Without `replace` an existing file is
 * refused (EEXIST), as with the `wx` flag.
 */
export async function writeFileDurably(
  file: string,
  data: string | Uint8Array,
  options: { mode: number; replace: boolean },
): Promise<void> {
  const temporary = temporaryBeside(file);
  const handle = await open(temporary, 'wx', options.mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (options.replace) await rename(temporary, file);
    else await link(temporary, file);
  } finally {
    if (!options.replace) await unlink(temporary).catch(() => undefined);
  }
  await syncDirectory(dirname(file));
}

/** Flushes a file's content to disk. */
export async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a directory's entries (a rename, a new file) durable. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
