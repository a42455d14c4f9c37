// A bounded closed-loop load for tests that change things while traffic flows.

import type { RunningProxy } from '../src/proxy.ts';
import { call } from './harness.ts';

export interface LoadResult {
  readonly sent: number;
  readonly failures: readonly string[];
}

/** Runs `workers` request loops until `stop` resolves; every non-200 answer is a failure. */
export async function runLoad(
  proxy: RunningProxy,
  host: string,
  workers: number,
  stop: Promise<void>,
): Promise<LoadResult> {
  let running = true;
  void stop.then(() => {
    running = false;
  });
  let sent = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (running) {
        sent += 1;
        try {
          const response = await call(proxy, host, '/load');
          if (response.status !== 200)
            failures.push(
              `${response.status} ${response.headers['x-weft-error'] ?? ''} ${response.text}`,
            );
        } catch (error) {
          failures.push(String(error));
        }
      }
    }),
  );
  return { sent, failures };
}
