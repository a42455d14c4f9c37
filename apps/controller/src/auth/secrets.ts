// Bearer secrets (session cookies, API tokens, join tokens): shown once, stored only as a hash.

import { createHash, randomBytes } from 'node:crypto';

const SECRET_BYTES = 32;

/** A new secret, with a readable prefix saying what it is for (e.g. "weft_api_…"). */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
