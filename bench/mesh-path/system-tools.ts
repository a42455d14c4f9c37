// The Debian tools the benchmark drives (wrk, nginx): found where Debian puts them, or
// installed with apt-get when we are root.

import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A mirror on a slow link takes a while; a stuck apt-get must not hold the run. */
const APT_TIMEOUT_MS = 240_000;
/** nginx lives in sbin, which a non-root PATH may lack. */
const EXTRA_DIRS = ['/usr/sbin', '/sbin'];

export interface Tool {
  readonly path: string;
  readonly version: string;
}

export type ToolLookup = Tool | { readonly missing: string };

/** Finds each command, installing the missing ones' Debian packages in one apt-get call. */
export async function ensureTools(
  wanted: Readonly<Record<string, string>>,
  say: (line: string) => void,
): Promise<Record<string, ToolLookup>> {
  const found: Record<string, string | undefined> = {};
  for (const command of Object.keys(wanted)) found[command] = await which(command);
  const missing = Object.keys(wanted).filter((command) => found[command] === undefined);
  let installError = '';
  if (missing.length > 0) {
    const packages = missing.map((command) => wanted[command] ?? command);
    say(`installing ${packages.join(' ')} with apt-get`);
    installError = await aptInstall(packages);
    for (const command of missing) found[command] = await which(command);
  }
  const result: Record<string, ToolLookup> = {};
  for (const command of Object.keys(wanted)) {
    const path = found[command];
    result[command] =
      path === undefined
        ? { missing: `${command} not found and not installed: ${installError}` }
        : { path, version: await version(path) };
  }
  return result;
}

/** '' when installed, else why not. */
async function aptInstall(packages: readonly string[]): Promise<string> {
  if (process.getuid?.() !== 0) {
    return `not root; run: sudo apt-get install -y ${packages.join(' ')}`;
  }
  const options = {
    timeout: APT_TIMEOUT_MS,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  };
  const install = () =>
    run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], options);
  try {
    await install();
    return '';
  } catch {
    // A machine that never ran apt-get update has no package lists yet.
    try {
      await run('apt-get', ['update'], options);
      await install();
      return '';
    } catch (error) {
      return `apt-get failed: ${(error as Error).message.split('\n')[0]}`;
    }
  }
}

async function which(command: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...EXTRA_DIRS];
  for (const dir of dirs.filter((entry) => entry !== '')) {
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/** The first line of `<tool> -v`, which nginx prints on stderr and wrk with a non-zero exit. */
async function version(path: string): Promise<string> {
  const output = await run(path, ['-v']).catch(
    (error: { stdout?: string; stderr?: string }) => error,
  );
  return `${output.stdout ?? ''}${output.stderr ?? ''}`.split('\n')[0]?.trim() ?? '';
}
