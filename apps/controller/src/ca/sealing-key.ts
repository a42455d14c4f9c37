// Where the sealing key comes from: WEFT_CA_KEY (base64 of 32 bytes), or a key file made once
// beside the database with 0600 permissions.

import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { SEALING_KEY_BYTES, SealingError } from './sealing.ts';

const PRIVATE_FILE_MODE = 0o600;

export async function loadSealingKey(
  fromEnv: string | undefined,
  keyFile: string,
): Promise<Buffer> {
  if (fromEnv !== undefined) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== SEALING_KEY_BYTES) {
      throw new SealingError(
        `WEFT_CA_KEY must be base64 of ${SEALING_KEY_BYTES} bytes, got ${key.length} bytes`,
      );
    }
    return key;
  }
  try {
    const key = Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64');
    if (key.length !== SEALING_KEY_BYTES)
      throw new SealingError(`${keyFile} does not hold a ${SEALING_KEY_BYTES}-byte key`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const key = randomBytes(SEALING_KEY_BYTES);
    await writeFile(keyFile, `${key.toString('base64')}\n`, {
      mode: PRIVATE_FILE_MODE,
      flag: 'wx',
    });
    return key;
  }
}
