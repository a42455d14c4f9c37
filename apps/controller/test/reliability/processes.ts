// The processes of a reliability mesh: started with their output in a log file, stopped by
// signal and waited for, and read from /proc (resident memory, open file descriptors).

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readdirSync, readFileSync } from 'node:fs';

const BYTES_PER_KIB = 1_024;
/** How long a stopped process may take to exit before it is killed. */
const EXIT_GRACE_MS = 5_000;

export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
}

/** Starts `node args…` with stdout and stderr appended to `logFile`; stdin a pipe if asked. */
export function startNode(
  args: readonly string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore' },
): Started {
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ?? 'ignore', log, log],
  });
  if (child.pid === undefined) throw new Error(`cannot start node ${args.join(' ')}`);
  return { child, pid: child.pid };
}

/** Processes here restart on the same port: the demo's free ports are outside the ephemeral range. */
export { freePort as stablePort } from '../../../../examples/demo/processes.ts';

export function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends the signal and waits for the exit; SIGKILL after a grace period if it lingers. */
export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (!running(child)) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Resident memory of a process now (VmRSS), in bytes; 0 when it is gone. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readOrEmpty(`/proc/${pid}/status`));
  return match?.[1] === undefined ? 0 : Number(match[1]) * BYTES_PER_KIB;
}

/** Open file descriptors of a process (sockets included); 0 when it is gone. */
export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
