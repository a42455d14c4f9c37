// What the console's /trpc forwarder tells the controller about the browser, and how it passes
// the controller's cookies back. The browser's address goes with the shared secret
// (WEFT_CONSOLE_SECRET) so the controller can believe it; without the secret nothing is claimed.

import { isIP } from 'node:net';

/** Set by server.ts, which overwrites X-Forwarded-For/-Proto with what its own socket saw. */
export const SOCKET_HEADERS_MARK = Symbol.for('weft.console.forwardedFromSocket');
export const CONSOLE_SECRET_HEADER = 'x-weft-console-secret';
export const CLIENT_ADDRESS_HEADER = 'x-weft-client-address';

interface ForwardingSettings {
  /** WEFT_CONSOLE_SECRET, shared with the controller. */
  readonly consoleSecret: string | undefined;
  /** X-Forwarded-* can be believed: set by server.ts, or by an ingress that overwrites them. */
  readonly forwardedHeadersTrusted: boolean;
}

export function forwardingSettings(): ForwardingSettings {
  const marked = (globalThis as Record<symbol, unknown>)[SOCKET_HEADERS_MARK] === true;
  return {
    consoleSecret: process.env.WEFT_CONSOLE_SECRET || undefined,
    forwardedHeadersTrusted: marked || process.env.WEFT_TRUST_FORWARDED_FOR === '1',
  };
}

/**
 * The headers that vouch for the browser's address, or none. Under plain `next start` without
 * WEFT_TRUST_FORWARDED_FOR the address is unknown (Next keeps an X-Forwarded-For the browser
 * sent), so nothing is claimed and the controller counts the console's own address.
 */
export function vouchingHeaders(
  headers: Headers,
  settings: ForwardingSettings,
): [string, string][] {
  if (settings.consoleSecret === undefined || !settings.forwardedHeadersTrusted) return [];
  const address = lastEntry(headers.get('x-forwarded-for'));
  if (address === undefined || isIP(address) === 0) return [];
  return [
    [CONSOLE_SECRET_HEADER, settings.consoleSecret],
    [CLIENT_ADDRESS_HEADER, address],
  ];
}

/**
 * The controller's Set-Cookie headers, marked Secure when the browser reached the console over
 * https: the controller only sees the console's plain-http call. Only the scheme the browser
 * used decides, and a client lying about it could only strip or add Secure on its own cookies.
 */
export function browserCookies(setCookies: string[], headers: Headers): string[] {
  if (lastEntry(headers.get('x-forwarded-proto')) !== 'https') return setCookies;
  return setCookies.map((cookie) =>
    /;\s*secure\s*(;|$)/i.test(cookie) ? cookie : `${cookie}; Secure`,
  );
}

/** The entry the nearest proxy added: the rightmost of a comma-separated list. */
function lastEntry(value: string | null): string | undefined {
  const entry = value?.split(',').pop()?.trim();
  return entry === '' ? undefined : entry;
}
