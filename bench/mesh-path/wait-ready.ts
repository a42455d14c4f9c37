// Waits until an HTTP endpoint answers 200, for readiness of proxies and of whole paths.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from './supervisor.ts';

const POLL_INTERVAL_MS = 100;
/** Each poll gives up after this long, so a hung listener cannot stall the wait. */
const POLL_TIMEOUT_MS = 1_000;

export async function waitFor200(
  url: string,
  timeoutMs: number,
  watched: readonly Child[],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const dead = watched.find((child) => !child.alive());
    if (dead !== undefined) {
      throw new Error(`${dead.label} exited while starting:\n${dead.logTail()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(POLL_TIMEOUT_MS) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (last: ${last})`);
}
