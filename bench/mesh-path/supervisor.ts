// Owns every child process and temporary folder of a run and stops them all on the way out,
// whether the run ends, fails, exceeds its time budget or is interrupted.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

/** A process that ignores SIGTERM this long is killed. */
const STOP_GRACE_MS = 5_000;
/** How much of a log is shown when a process dies early. */
const LOG_TAIL_BYTES = 4_000;
const RM_RETRIES = 5;

export interface Child {
  readonly label: string;
  readonly process: ChildProcess;
  /** Whether it is still running. */
  alive(): boolean;
  /** The last lines of its log, for an error message. */
  logTail(): string;
}

export interface StartOptions {
  readonly cwd?: string;
  /** 'pipe' keeps stdout for the caller (stderr still goes to the log file). */
  readonly stdout?: 'pipe' | 'log';
  /** Added to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
}

export class Supervisor {
  private readonly children: Child[] = [];
  private readonly cleanups: (() => Promise<void>)[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly logDir: string) {}

  /** Whether stopAll has begun: the run must start nothing more. */
  isStopping(): boolean {
    return this.stopping !== undefined;
  }

  start(
    label: string,
    command: string,
    args: readonly string[],
    options: StartOptions = {},
  ): Child {
    if (this.stopping !== undefined) throw new Error(`not starting ${label}: the run is stopping`);
    const logFile = join(this.logDir, `${label}.log`);
    const fd = openSync(logFile, 'w');
    const child = spawn(command, args, {
      cwd: options.cwd,
      ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
      stdio: ['ignore', options.stdout === 'pipe' ? 'pipe' : fd, fd],
    });
    // The child holds its own copy of the descriptor.
    closeSync(fd);
    // A command that cannot be started emits 'error' and never exits: it counts as dead.
    let failed = false;
    child.on('error', () => {
      failed = true;
    });
    const entry: Child = {
      label,
      process: child,
      alive: () => !failed && child.exitCode === null && child.signalCode === null,
      logTail: () => tail(logFile),
    };
    this.children.push(entry);
    return entry;
  }

  /** A folder removed when the run stops. */
  ownFolder(path: string): void {
    // Retried: a step of the run still under way may write into it while it is removed.
    this.onStop(() => rm(path, { recursive: true, force: true, maxRetries: RM_RETRIES }));
  }

  /** Work done after the children have stopped, last registered first. */
  onStop(cleanup: () => Promise<void>): void {
    this.cleanups.unshift(cleanup);
  }

  /** Stops every child (SIGTERM, then SIGKILL after a grace period), then runs the cleanups. */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all(this.children.map((child) => stop(child.process)));
      for (const cleanup of this.cleanups) await cleanup().catch(() => undefined);
    })();
    return this.stopping;
  }
}

/** Stops one process and waits for it. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function tail(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-LOG_TAIL_BYTES).trimEnd();
  } catch {
    return '';
  }
}
