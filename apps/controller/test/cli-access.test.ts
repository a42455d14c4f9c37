// `weft api-token` and `weft user` as an operator runs them, as processes against a real
// controller: tokens made, listed and revoked; a user disabled, listed and enabled; the last
// admin kept; a lifetime over the maximum refused with the limit named; a role changed; join
// tokens listed and expired.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../src/cli/api-client.ts';
import { startTestController, type TestController } from './api-harness.ts';

const ROOT = join(import.meta.dirname, '../../..');
const WEFT = join(ROOT, 'bin/weft.js');
/** A dozen CLI processes and three sign-ins on a machine others share. */
const TIMEOUT_MS = 240_000;

describe('weft api-token, weft user and weft token', () => {
  let t: TestController;
  const weft = (token: string, args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [WEFT, ...args],
        {
          cwd: ROOT,
          env: { ...process.env, WEFT_SERVER: t.controller.apiUrl, WEFT_TOKEN: token },
        },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
      );
    });
  const works = (token: string) =>
    apiClient({ server: t.controller.apiUrl, token })
      .auth.me.query()
      .then(
        () => true,
        () => false,
      );

  beforeAll(async () => {
    t = await startTestController();
  }, TIMEOUT_MS);
  afterAll(async () => {
    await t?.close();
  });

  it(
    'makes, lists and revokes API tokens, and disables and enables users',
    async () => {
      const created = await weft(t.tokens.OPERATOR, [
        'api-token',
        'create',
        '--name',
        'ci',
        '--ttl',
        '24h',
      ]);
      expect(created, created.stderr).toMatchObject({ code: 0 });
      const token = created.stdout.trim();
      const id = /API token ([0-9a-f-]{36}) \(operator\), expires /.exec(created.stderr)?.[1] ?? '';
      expect(await works(token)).toBe(true);

      const mine = await weft(t.tokens.OPERATOR, ['api-token', 'list']);
      expect(mine.stdout).toMatch(new RegExp(`${id}\\totto\\tci\\toperator\\t\\S+\\texpires `));
      expect(mine.stdout).not.toContain('vera');
      const all = await weft(t.adminToken, ['api-token', 'list', '--all']);
      expect(all.stdout).toContain('\tvera\t');
      const tooLong = await weft(t.tokens.OPERATOR, [
        'api-token',
        'create',
        '--name',
        'x',
        '--ttl',
        '1000d',
      ]);
      expect(tooLong.code).toBe(1);
      expect(tooLong.stderr).toContain('expiresInHours: must be at most 2160 hours');

      const revoked = await weft(t.tokens.OPERATOR, ['api-token', 'revoke', id]);
      expect(revoked.stdout).toBe(`revoked API token ${id} (ci) of otto\n`);
      expect(await works(token)).toBe(false);

      const disabled = await weft(t.adminToken, ['user', 'disable', 'vera']);
      expect(disabled.stdout).toBe('disabled vera: sessions ended, API tokens revoked\n');
      expect(await works(t.tokens.VIEWER)).toBe(false);
      expect((await weft(t.adminToken, ['user', 'list'])).stdout).toMatch(
        /\nvera\tviewer\t\S+\tdisabled /,
      );
      expect((await weft(t.adminToken, ['user', 'enable', 'vera'])).stdout).toBe('enabled vera\n');
      const lastAdmin = await weft(t.adminToken, ['user', 'disable', 'root']);
      expect(lastAdmin.code).toBe(1);
      expect(lastAdmin.stderr).toContain('root is the last enabled admin');
    },
    TIMEOUT_MS,
  );

  it(
    'changes a role, and lists and expires join tokens',
    async () => {
      // An operator cannot make itself an admin.
      const refused = await weft(t.tokens.OPERATOR, ['user', 'set-role', 'otto', 'admin']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('needs the admin role');
      const promoted = await weft(t.adminToken, ['user', 'set-role', 'otto', 'admin']);
      expect(promoted, promoted.stderr).toMatchObject({ code: 0, stdout: 'otto is now admin\n' });
      await weft(t.adminToken, ['user', 'set-role', 'otto', 'operator']);
      expect((await weft(t.adminToken, ['user', 'list'])).stdout).toMatch(/\notto\toperator\t/);

      const created = await weft(t.adminToken, [
        'token',
        'create',
        '--service',
        'catalog',
        '-n',
        'shop',
        '--max-uses',
        '2',
      ]);
      expect(created, created.stderr).toMatchObject({ code: 0 });
      const listed = await weft(t.adminToken, ['token', 'list']);
      const id = /\n(\S+)\tshop\/catalog\t0\/2\troot\texpires /.exec(listed.stdout)?.[1] ?? '';
      expect(id, listed.stdout).toMatch(/^[0-9a-f-]{36}$/);
      expect(listed.stdout).not.toContain(created.stdout.trim());
      const expired = await weft(t.adminToken, ['token', 'expire', id]);
      expect(expired.stdout).toBe(`expired join token ${id} for shop/catalog (0 uses)\n`);
      expect((await weft(t.adminToken, ['token', 'list'])).stdout).toContain(
        `${id}\tshop/catalog\t0/2\troot\texpired `,
      );
    },
    TIMEOUT_MS,
  );
});
