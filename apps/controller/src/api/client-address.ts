// Who is calling the operator API from: the socket's peer, or, when the console vouches for it
// with the shared secret (WEFT_CONSOLE_SECRET), the browser address the console saw. Without the
// secret a forwarded address is ignored: anyone can send a header.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Carries the shared secret from the console; a request without it is an ordinary client. */
export const CONSOLE_SECRET_HEADER = 'x-weft-console-secret';
/** The browser's address as the console saw it; believed only beside the right secret. */
export const CLIENT_ADDRESS_HEADER = 'x-weft-client-address';

export function clientAddressOf(req: IncomingMessage, consoleSecret: string | undefined): string {
  const socketAddress = req.socket.remoteAddress ?? 'unknown';
  const forwarded = req.headers[CLIENT_ADDRESS_HEADER];
  const presented = req.headers[CONSOLE_SECRET_HEADER];
  if (consoleSecret === undefined || typeof forwarded !== 'string' || typeof presented !== 'string')
    return socketAddress;
  if (!sameSecret(presented, consoleSecret) || isIP(forwarded) === 0) return socketAddress;
  return forwarded;
}

/** Compares digests, so neither the length nor the content leaks through timing. */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
