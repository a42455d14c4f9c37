// Where the sealing key comes from: WEFT_CA_KEY (base64 of 32 bytes), or a key file made once
// beside the database with 0600 permissions.

import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileDurably } from '../db/durable-files.ts';
import { PRIVATE_FILE_MODE } from '../db/private-files.ts';
import { SEALING_KEY_BYTES, SealingError } from './sealing.ts';

/** The key file's name, beside the database. */
export const SEALING_KEY_FILE = 'ca-sealing.key';

export function sealingKeyFileFor(databaseFile: string): string {
  return join(dirname(databaseFile), SEALING_KEY_FILE);
}

export async function loadSealingKey(
  fromEnv: string | undefined,
  keyFile: string,
): Promise<Buffer> {
  const existing = await readSealingKey(fromEnv, keyFile);
  if (existing !== undefined) return existing;
  const key = randomBytes(SEALING_KEY_BYTES);
  // Durable before the first CA key is sealed with it: a database whose sealed keys survive a
  // power cut while their key did not would have lost its CA.
  await writeSealingKeyFile(keyFile, key, { replace: false });
  return key;
}

/** The key from WEFT_CA_KEY, else from the key file; undefined when neither exists. */
export async function readSealingKey(
  fromEnv: string | undefined,
  keyFile: string,
): Promise<Buffer | undefined> {
  if (fromEnv !== undefined) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== SEALING_KEY_BYTES) {
      throw new SealingError(
        `WEFT_CA_KEY must be base64 of ${SEALING_KEY_BYTES} bytes, got ${key.length} bytes`,
      );
    }
    return key;
  }
  let text: string;
  try {
    text = await readFile(keyFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== SEALING_KEY_BYTES)
    throw new SealingError(`${keyFile} does not hold a ${SEALING_KEY_BYTES}-byte key`);
  return key;
}

/** Names a key without revealing it, so a backup can say which key its CA keys need. */
export function sealingKeyFingerprint(key: Buffer): string {
  return `sha256:${createHash('sha256').update('weft sealing key\n').update(key).digest('hex').slice(0, 32)}`;
}

/** Writes a key file (0600) whole and durably; an existing one is refused unless `replace`. */
export function writeSealingKeyFile(
  keyFile: string,
  key: Buffer,
  options: { replace: boolean },
): Promise<void> {
  return writeFileDurably(keyFile, `${key.toString('base64')}\n`, {
    mode: PRIVATE_FILE_MODE,
    replace: options.replace,
  });
}
