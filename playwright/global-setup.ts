// Starts the demo mesh with its console on free ports for the whole run, creates the users the
// tests sign in as, and hands their addresses and passwords to the tests through the environment.
// The returned function stops the demo and checks that it exited.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '@weft/controller/api';
import superjson from 'superjson';
import { freePort } from '../examples/demo/processes.ts';
import { USERS } from './tests/users.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO_START_TIMEOUT_MS = 120_000;
const DEMO_STOP_TIMEOUT_MS = 15_000;
/** Enough traffic that a 30% split shows within seconds, little enough for 2 cores. */
const TRAFFIC_PER_SECOND = 40;

/** Resolves with the demo's output once it prints `line`; rejects if it exits first. */
function waitForLine(
  demo: ChildProcess,
  pattern: RegExp,
  output: string[],
): Promise<RegExpExecArray> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `the demo did not print ${pattern} within ${DEMO_START_TIMEOUT_MS} ms:\n${output.join('')}`,
          ),
        ),
      DEMO_START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output.push(String(chunk));
      const match = pattern.exec(output.join(''));
      if (match !== null) {
        clearTimeout(timer);
        demo.stdout?.off('data', onData);
        resolvePromise(match);
      }
    };
    demo.stdout?.on('data', onData);
    demo.stderr?.on('data', (chunk: Buffer) => output.push(String(chunk)));
    demo.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code} before it was ready:\n${output.join('')}`));
    });
  });
}

/** The live processes of the demo's group (the demo, its services, proxies, console); zombies
 * waiting for init to reap them do not count. Linux: read from /proc. */
async function survivorsOf(demo: ChildProcess): Promise<string[]> {
  const survivors: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid pgrp …": comm may hold spaces, so read after its closing parenthesis.
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(group) === demo.pid && state !== 'Z')
      survivors.push(`${pid} ${stat.slice(0, stat.lastIndexOf(')') + 1)}`);
  }
  return survivors;
}

function killGroup(demo: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(demo.pid as number), signal);
  } catch {
    // already gone
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-console-'));
  const consolePort = await freePort();
  const output: string[] = [];
  const demo = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'examples/demo/mesh-demo.ts'),
      '--dir',
      dir,
      '--console-port',
      String(consolePort),
      '--rate',
      String(TRAFFIC_PER_SECOND),
    ],
    // Its own process group, so teardown can tell whether any of its children outlived it.
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const [, apiUrl] = await waitForLine(demo, /operator API:\s+(\S+)/, output);
  if (apiUrl === undefined) throw new Error('the demo printed no operator API address');
  const adminPassword = (await readFile(join(dir, 'admin-password'), 'utf8')).trim();

  const api = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${apiUrl}/trpc`, transformer: superjson })],
  });
  const { token } = await api.auth.login.mutate({
    username: 'admin',
    password: adminPassword,
    mode: 'token',
    tokenName: 'playwright',
  });
  const admin = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${apiUrl}/trpc`,
        transformer: superjson,
        headers: { authorization: `Bearer ${token}` },
      }),
    ],
  });
  for (const user of [USERS.operator, USERS.viewer])
    await admin.users.create.mutate({
      username: user.username,
      password: user.password,
      role: user.role,
    });

  process.env.WEFT_CONSOLE_URL = `http://127.0.0.1:${consolePort}`;
  process.env.WEFT_API_URL = apiUrl;
  process.env.WEFT_ADMIN_PASSWORD = adminPassword;

  return async () => {
    demo.kill('SIGTERM');
    const exited = await Promise.race([
      once(demo, 'exit').then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), DEMO_STOP_TIMEOUT_MS)),
    ]);
    if (!exited) {
      killGroup(demo, 'SIGKILL');
      throw new Error(`the demo did not stop within ${DEMO_STOP_TIMEOUT_MS} ms of SIGTERM`);
    }
    const survivors = await survivorsOf(demo);
    if (survivors.length > 0) {
      killGroup(demo, 'SIGKILL');
      throw new Error(`the demo exited but left processes behind: ${survivors.join(', ')}`);
    }
    await rm(dir, { recursive: true, force: true });
  };
}
