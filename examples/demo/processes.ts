// Child processes of the demo: started with their output prefixed, waited for, stopped together.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** How long a child may take to become ready before the demo gives up. */
export const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;
const STOP_GRACE_MS = 3_000;

export class Children {
  private readonly children: ChildProcess[] = [];

  start(
    name: string,
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = {},
  ): ChildProcess {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const prefix = (line: string) => (line.trim() === '' ? '' : `  [${name}] ${line}\n`);
    child.stdout?.on('data', (chunk: Buffer) =>
      process.stdout.write(String(chunk).split('\n').map(prefix).join('')),
    );
    child.stderr?.on('data', (chunk: Buffer) =>
      process.stderr.write(String(chunk).split('\n').map(prefix).join('')),
    );
    this.children.push(child);
    return child;
  }

  /** SIGTERM to all, SIGKILL to any still running after a grace period; resolves once every
   * child has exited, so nothing outlives the demo. */
  async stopAll(): Promise<void> {
    const running = this.children.filter((c) => c.exitCode === null && c.signalCode === null);
    const exited = Promise.all(running.map((child) => once(child, 'exit')));
    for (const child of running) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS))]);
    for (const child of running)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}

/** Polls a URL until it answers 200, or fails after READY_TIMEOUT_MS naming it. */
export async function waitForOk(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`${url} did not answer 200 within ${READY_TIMEOUT_MS} ms`);
}

/**
 * Ports are taken below Linux's ephemeral range (32768 up): a port from the range, found free
 * here, can meanwhile become the source port of any outgoing connection on the machine, and the
 * process meant to listen on it fails with EADDRINUSE (seen in CI: a demo proxy's admin port).
 */
const FREE_PORT_MIN = 20_000;
const FREE_PORT_SPAN = 12_000;
const FREE_PORT_TRIES = 200;
const handedOut = new Set<number>();

/** A free port outside the ephemeral range, not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < FREE_PORT_TRIES; attempt++) {
    const port = FREE_PORT_MIN + Math.floor(Math.random() * FREE_PORT_SPAN);
    if (handedOut.has(port)) continue;
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      server.close();
      await once(server, 'close');
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port from ${FREE_PORT_MIN} within ${FREE_PORT_TRIES} tries`);
}
