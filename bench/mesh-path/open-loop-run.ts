// Runs the open-loop generator (open-loop.ts) in its own process and hands back its result,
// calling back when its recorded window opens and closes so the caller can sample around it.

import type { Percentiles } from './percentiles.ts';
import { readJsonLines, startScript } from './run-script.ts';
import type { Supervisor } from './supervisor.ts';

/** Past the warm-up and the measured window, the generator is given this long to finish. */
const EXIT_GRACE_MS = 20_000;

export interface OpenLoopResult {
  readonly sent: number;
  readonly completed: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly seconds: number;
  /** From each request's due time to its response's end. */
  readonly latencyMs: Percentiles;
  /** How late the generator itself sent: its noise floor. */
  readonly lagMs: Percentiles;
}

export interface OpenLoopLoad {
  readonly url: string;
  readonly ratePerS: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly connections: number;
}

export async function runOpenLoop(
  supervisor: Supervisor,
  label: string,
  load: OpenLoopLoad,
  window: { onStart: () => Promise<void>; onStop: () => Promise<void> },
): Promise<OpenLoopResult> {
  const child = startScript(supervisor, label, 'open-loop.ts', [
    '--url',
    load.url,
    '--rate',
    String(load.ratePerS),
    '--warmup-ms',
    String(load.warmupMs),
    '--duration-ms',
    String(load.durationMs),
    '--connections',
    String(load.connections),
  ]);
  const timer = setTimeout(
    () => child.process.kill('SIGKILL'),
    load.warmupMs + load.durationMs + EXIT_GRACE_MS,
  );
  let result: OpenLoopResult | undefined;
  try {
    await readJsonLines(child, async (line) => {
      if (line.event === 'recording') await window.onStart();
      else if (line.event === 'stopped') await window.onStop();
      else if (line.event === 'result') result = line as unknown as OpenLoopResult;
    });
  } finally {
    clearTimeout(timer);
  }
  if (result === undefined) throw new Error(`${label} gave no result:\n${child.logTail()}`);
  return result;
}
