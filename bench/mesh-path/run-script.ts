// Starts one of a benchmark's TypeScript scripts as its own Node process (through tsx) and
// reads the JSON lines it prints.

import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Child, Supervisor } from './supervisor.ts';

/** `script` is a file name in `folder`, a module's import.meta.url (this folder by default). */
export function startScript(
  supervisor: Supervisor,
  label: string,
  script: string,
  args: readonly string[] = [],
  folder: string = import.meta.url,
): Child {
  const file = fileURLToPath(new URL(script, folder));
  return supervisor.start(label, process.execPath, ['--import', 'tsx', file, ...args], {
    stdout: 'pipe',
  });
}

/** Calls onLine for each JSON line the child prints; resolves when its output ends. */
export async function readJsonLines(
  child: Child,
  onLine: (line: Record<string, unknown>) => void | Promise<void>,
): Promise<void> {
  const stdout = child.process.stdout;
  if (stdout === null) throw new Error(`${child.label} has no piped stdout`);
  for await (const line of createInterface({ input: stdout })) {
    if (line.startsWith('{')) await onLine(JSON.parse(line) as Record<string, unknown>);
  }
}

/** The first JSON line the child prints, or an error if it exits or stays silent. */
export async function firstJsonLine(child: Child, timeoutMs: number): Promise<unknown> {
  const stdout = child.process.stdout;
  if (stdout === null) throw new Error(`${child.label} has no piped stdout`);
  const lines = createInterface({ input: stdout })[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${child.label} printed nothing in ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const next = await Promise.race([lines.next(), silent]);
    if (next.done === true) throw new Error(`${child.label} exited:\n${child.logTail()}`);
    return JSON.parse(next.value);
  } finally {
    clearTimeout(timer);
  }
}
