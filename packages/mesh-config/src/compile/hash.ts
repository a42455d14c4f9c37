// A content hash that depends on values only, never on the order keys were written in.

import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

const canonicalJson = configure({ deterministic: true, bigint: false, circularValue: Error });

export function contentHash(value: unknown): string {
  const text = canonicalJson(value);
  if (text === undefined) throw new TypeError('cannot hash undefined');
  return createHash('sha256').update(text).digest('hex');
}
