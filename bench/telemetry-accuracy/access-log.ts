// Proxy A's access log, read back: one JSON line per request it handled, with the latency it
// measured (request arrival at its outbound listener to the end of the answer it relayed, the
// figure its telemetry sketch records), rounded by the log to the microsecond.

import { readFile } from 'node:fs/promises';

export interface AccessLine {
  readonly requestId: string;
  readonly version: string | null;
  readonly status: number;
  readonly durationMs: number;
}

/** Outbound lines (the calls proxy A made), by request id. */
export async function readAccessLog(file: string): Promise<Map<string, AccessLine>> {
  const lines = new Map<string, AccessLine>();
  for (const text of (await readFile(file, 'utf8')).split('\n')) {
    if (!text.startsWith('{')) continue;
    const line = JSON.parse(text) as Partial<AccessLine> & { direction?: string };
    if (line.direction !== 'outbound' || typeof line.requestId !== 'string') continue;
    if (lines.has(line.requestId)) throw new Error(`request id ${line.requestId} logged twice`);
    lines.set(line.requestId, {
      requestId: line.requestId,
      version: line.version ?? null,
      status: Number(line.status),
      durationMs: Number(line.durationMs),
    });
  }
  return lines;
}
