// Seals CA private keys at rest with AES-256-GCM: a stolen database file alone reveals nothing.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MeshError } from '@weft/errors';

export const SEALING_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealingError extends MeshError {
  constructor(message: string) {
    super('MESH_ERR_CA_KEY_SEALING', message);
  }
}

export function seal(plaintext: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

export function unseal(sealed: string, key: Buffer): string {
  const bytes = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new SealingError(
      'a CA key cannot be unsealed: WEFT_CA_KEY (or the key file) is not the one it was sealed with',
    );
  }
}
