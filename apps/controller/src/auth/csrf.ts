// The anti-CSRF token of a console session: derived from the session's secret, so each session
// has its own, nothing more is stored, and every replica can check it. The console reads it from
// the readable `weft_csrf` cookie and sends it back in the `x-weft-csrf` header; another site can
// neither read the cookie nor guess the value.

import { createHmac, timingSafeEqual } from 'node:crypto';

export const CSRF_COOKIE = 'weft_csrf';
export const CSRF_HEADER = 'x-weft-csrf';
/** Binds the token to its purpose: the session secret keys an HMAC of this label. */
const CSRF_LABEL = 'weft anti-CSRF token v1';

export function csrfTokenFor(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update(CSRF_LABEL).digest('base64url');
}

/** True only when `presented` is the token of this very session (compared in constant time). */
export function csrfTokenMatches(
  sessionSecret: string | undefined,
  presented: string | undefined,
): boolean {
  if (sessionSecret === undefined || presented === undefined) return false;
  const expected = Buffer.from(csrfTokenFor(sessionSecret));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
