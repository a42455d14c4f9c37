// The controller as an operator starts it: `weft admin create`, `weft controller`, `weft login`,
// then a clean stop on SIGTERM.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const WEFT = join(ROOT, 'bin/weft.js');

function run(
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [WEFT, ...args],
      { cwd: ROOT, env },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : Number((error as { code?: number }).code ?? 1),
          stdout,
          stderr,
        }),
    );
    child.stdin?.end(input);
  });
}

/** Resolves with the API URL the controller logs once it listens. */
async function apiUrlOf(controller: ChildProcess): Promise<string> {
  let output = '';
  for await (const chunk of controller.stdout ?? []) {
    output += String(chunk);
    const match = /"api":"(http:\/\/[^"]+)"/.exec(output);
    if (match?.[1] !== undefined) return match[1];
  }
  throw new Error(`the controller stopped before listening:\n${output}`);
}

describe('weft controller', () => {
  let controller: ChildProcess | undefined;
  afterEach(() => {
    controller?.kill('SIGKILL');
  });

  it('starts on a database made by weft admin create, signs in a user, and stops cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-cli-controller-'));
    const env = {
      ...process.env,
      WEFT_DB: join(dir, 'weft.db'),
      WEFT_CREDENTIALS: join(dir, 'credentials.json'),
    };
    const created = await run(
      ['admin', 'create', '-u', 'ada', '-r', 'admin'],
      'a long enough password\n',
      env,
    );
    expect(created).toMatchObject({ code: 0, stdout: 'created ada (admin)\n' });
    expect((await run(['admin', 'create', '-u', 'bob'], 'short\n', env)).code).toBe(2);
    const badName = await run(
      ['admin', 'create', '-u', 'Bob\nroot'],
      'a long enough password\n',
      env,
    );
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('must be 1-64 lowercase letters');

    controller = spawn(process.execPath, [WEFT, 'controller', '--port', '0'], { cwd: ROOT, env });
    const url = await apiUrlOf(controller);
    const login = await run(['login', '-u', 'ada', '-s', url], 'a long enough password\n', env);
    expect(login.stdout).toContain(`signed in to ${url} as ada (admin)`);
    expect((await stat(env.WEFT_CREDENTIALS)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(env.WEFT_CREDENTIALS, 'utf8')).token).toMatch(/^weft_api_/);
    const revisions = await run(['revisions'], '', env);
    expect(revisions).toMatchObject({ code: 0, stdout: '' });

    controller.kill('SIGTERM');
    const [code] = await once(controller, 'exit');
    expect(code).toBe(0);
  });
});
