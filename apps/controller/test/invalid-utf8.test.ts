// Bytes that are not UTF-8 are refused where they enter, naming the line and column (and the
// file, for the CLI), never turned into U+FFFD and stored: raw request bodies sent to
// config.validate/diff/applyYaml over real HTTP, a commit message, and files given to
// `weft validate` and `weft apply`. A U+FFFD the user really wrote is kept as it was.

import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../src/cli/api-client.ts';
import { type AdminController, startAdminController } from './admin-controller.ts';
import { answerOf } from './api-harness.ts';
import { ROOT } from './mesh-helpers.ts';

const WEFT = join(ROOT, 'bin/weft.js');
/** Stands for the bad bytes while the request is built as text. */
const MARK = '\u0001BAD\u0001';

/** A Service whose note (line 6) holds `note`; column 25 is where the note starts. */
const service = (note: string) => `apiVersion: weft.dev/v1alpha1
kind: Service
metadata:
  name: vault
  namespace: shop
  annotations: { note: "${note}" }
spec: { ports: [{ port: 80 }] }
`;

/** The superjson envelope of `input` as bytes, each MARK replaced by `bad`. */
function bodyWith(input: Record<string, string>, bad: number[]): Buffer {
  const parts = JSON.stringify({ json: input }).split(JSON.stringify(MARK).slice(1, -1));
  return Buffer.concat(
    parts.flatMap((part, i) => [
      Buffer.from(part),
      ...(i < parts.length - 1 ? [Buffer.from(bad)] : []),
    ]),
  );
}

describe('invalid UTF-8', () => {
  let c: AdminController;
  const post = async (path: string, body: Buffer) =>
    answerOf(
      await fetch(`${c.controller.apiUrl}/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
        body,
      }),
    );

  beforeAll(async () => {
    c = await startAdminController('utf8');
  });
  afterAll(async () => {
    await c?.controller.close();
  });

  it('refuses raw bytes that are not UTF-8 in YAML and in a commit message, by line and column', async () => {
    const before = await c.controller.services.revisions.latestId();
    for (const path of ['config.validate', 'config.diff', 'config.applyYaml']) {
      const answer = await post(
        path,
        bodyWith({ yaml: service(`caf${MARK}`), file: 'vault.yaml' }, [0xff]),
      );
      expect([path, answer.status], answer.body).toEqual([path, 400]);
      expect(answer.message).toBe('vault.yaml: line 6, column 28: invalid UTF-8 byte 0xff');
    }
    // A sequence cut short: the byte that starts it is named.
    const cut = await post(
      'config.applyYaml',
      bodyWith({ yaml: service('fine'), message: `fix ${MARK}(` }, [0xc3]),
    );
    expect(cut.status, cut.body).toBe(400);
    expect(cut.message).toBe('message: line 1, column 5: invalid UTF-8 byte 0xc3');
    expect(cut.data?.zodError).toMatchObject({ fieldErrors: { message: [expect.any(String)] } });
    const second = await post(
      'config.applyYaml',
      bodyWith({ yaml: `# line 1\n# line 2 ${MARK}\n${service('x')}` }, [0xed, 0xa0, 0x80]),
    );
    expect(second.message).toBe('request.yaml: line 2, column 10: invalid UTF-8 byte 0xed');
    expect(await c.controller.services.revisions.latestId()).toBe(before);
  });

  it('keeps a U+FFFD the user wrote, sent as its own valid bytes', async () => {
    const applied = await c.admin.config.applyYaml.mutate({
      yaml: service('replacement \uFFFD character'),
      message: 'a real \uFFFD',
    });
    expect(applied.changed).toBe(true);
    const revision = await c.admin.revisions.get.query({ id: Number(applied.revision) });
    expect(revision?.message).toBe('a real \uFFFD');
  });

  it('refuses a file that is not UTF-8 in weft validate and weft apply, naming file, line and column', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-utf8-'));
    const file = join(dir, 'vault.yaml');
    const [head, tail] = service(MARK).split(MARK);
    await writeFile(
      file,
      Buffer.concat([Buffer.from(head ?? ''), Buffer.from([0xfe]), Buffer.from(tail ?? '')]),
    );
    const run = (args: string[]) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [WEFT, ...args],
          {
            cwd: ROOT,
            env: { ...process.env, WEFT_SERVER: c.controller.apiUrl, WEFT_TOKEN: c.token },
          },
          (error, _stdout, stderr) =>
            resolve({ code: error === null ? 0 : Number(error.code ?? 1), stderr }),
        );
      });
    const [validated, applied] = await Promise.all([
      run(['validate', file]),
      run(['apply', '-f', file]),
    ]);
    expect(validated).toEqual({ code: 2, stderr: `${file}:6:25: invalid UTF-8 byte 0xfe\n` });
    expect(applied).toEqual({ code: 1, stderr: `${file}:6:25: invalid UTF-8 byte 0xfe\n` });
    // Nothing reached the controller as a replacement character.
    const current = await apiClient({
      server: c.controller.apiUrl,
      token: c.token,
    }).config.current.query();
    expect(JSON.stringify(current)).not.toContain('\uFFFD"');
  }, 120_000);
});
