// What to send upstream as the request body: nothing, a small body held in memory so it can be
// sent again (retries, mirror), or the caller's stream itself, never buffered.

import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

export async function requestBody(
  req: IncomingMessage,
  replayLimitBytes: number,
): Promise<Buffer | Readable | null> {
  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (length === undefined || length === '0')) return null;
  if (chunked || Number(length) > replayLimitBytes) return req;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
