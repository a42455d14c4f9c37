// Taking access back, over real HTTP against a real controller: API tokens expire (a default and
// a maximum the controller's operator sets), are listed (one's own; all of them by an admin) and
// revoked at once; a disabled user's sessions and tokens stop working at once and stay stopped;
// the last enabled admin cannot be disabled. Every change is audited.

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_TOKEN_MAX_TTL_MS, DEFAULT_API_TOKEN_TTL_MS } from '../src/auth/api-tokens.ts';
import { apiClient } from '../src/cli/api-client.ts';
import { readEnv } from '../src/env.ts';
import { ADMIN_PASSWORD, startTestController, type TestController } from './api-harness.ts';

const OPERATOR = { username: 'otto', password: 'operator password 1' };
/** How far apart the controller's clock and the test's may be read, in this test. */
const CLOCK_SLACK_MS = 60_000;
/** Three sign-ins, a scrypt hash each, on a machine others share. */
const STARTUP_TIMEOUT_MS = 120_000;

describe('access lifecycle', () => {
  let t: TestController;
  let db: Database.Database;
  const client = (token?: string) =>
    apiClient({ server: t.controller.apiUrl, ...(token === undefined ? {} : { token }) });
  const status = async (token: string) =>
    client(token)
      .auth.me.query()
      .then(
        () => 200,
        (error: { data?: { httpStatus?: number } }) => error.data?.httpStatus,
      );
  const signIn = async (credentials: { username: string; password: string }) => {
    const { token } = await client().auth.login.mutate({ ...credentials, mode: 'token' });
    if (token === null) throw new Error('no token');
    return token;
  };
  const audits = async (action: string) =>
    (await t.controller.services.audit.list({ limit: 500 })).filter((e) => e.action === action);

  beforeAll(async () => {
    t = await startTestController();
    db = new Database(t.controller.databaseFile, { readonly: true });
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    db?.close();
    await t?.close();
  });

  it('gives a sign-in token the default expiry: no token without one', async () => {
    const started = Date.now();
    const token = await signIn(OPERATOR);
    // What the database holds: no token without an expiry.
    const rows = db.prepare('SELECT count(*) AS n FROM ApiToken WHERE expiresAt IS NULL').get() as {
      n: number;
    };
    expect(rows.n).toBe(0);
    const mine = await client(token).apiTokens.mine.query();
    const newest = mine.at(-1);
    expect(newest?.expiresAt).toBeInstanceOf(Date);
    expect(
      Math.abs((newest?.expiresAt?.getTime() ?? 0) - started - DEFAULT_API_TOKEN_TTL_MS),
    ).toBeLessThan(CLOCK_SLACK_MS);
  });

  it('takes the default and the maximum lifetime from the environment, the default no longer', () => {
    expect(readEnv({ WEFT_API_TOKEN_TTL: '12h', WEFT_API_TOKEN_MAX_TTL: '7d' })).toMatchObject({
      WEFT_API_TOKEN_TTL: 12 * 3_600_000,
      WEFT_API_TOKEN_MAX_TTL: 7 * 86_400_000,
    });
    expect(() => readEnv({ WEFT_API_TOKEN_TTL: '100d' })).toThrow(
      'WEFT_API_TOKEN_TTL: must not be longer than WEFT_API_TOKEN_MAX_TTL',
    );
    expect(() => readEnv({ WEFT_API_TOKEN_MAX_TTL: 'forever' })).toThrow(
      'WEFT_API_TOKEN_MAX_TTL: must be a duration such as 720h, got "forever"',
    );
  });

  it('creates tokens up to the maximum lifetime and role, and refuses more naming the limit', async () => {
    const operator = client(await signIn(OPERATOR));
    const created = await operator.apiTokens.create.mutate({
      name: 'ci',
      expiresInHours: 24,
      role: 'VIEWER',
    });
    expect(created.token).toMatch(/^weft_api_/);
    expect(await client(created.token).auth.me.query()).toMatchObject({
      user: { username: 'otto', role: 'VIEWER' },
    });
    const tooLong = await operator.apiTokens.create
      .mutate({ name: 'forever', expiresInHours: DEFAULT_API_TOKEN_MAX_TTL_MS / 3_600_000 + 1 })
      .catch((error: Error) => error);
    expect(String(tooLong)).toContain(`at most ${DEFAULT_API_TOKEN_MAX_TTL_MS / 3_600_000} hours`);
    const higher = await operator.apiTokens.create
      .mutate({ name: 'sudo', expiresInHours: 1, role: 'ADMIN' })
      .catch((error: { data?: { httpStatus?: number }; message: string }) => error);
    expect(higher).toMatchObject({ data: { httpStatus: 403 } });
    expect((higher as Error).message).toContain('above your own role (operator)');
    expect((await audits('apiTokens.create')).at(0)).toMatchObject({
      actor: 'otto',
      outcome: 'OK',
    });
  });

  it('lists one’s own tokens to anyone and all tokens to an admin, never a secret', async () => {
    const viewer = client(t.tokens.VIEWER);
    const mine = await viewer.apiTokens.mine.query();
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((token) => token.username))).toEqual(new Set(['vera']));
    const all = await client(t.adminToken).apiTokens.list.query({});
    expect(new Set(all.map((token) => token.username))).toEqual(new Set(['root', 'otto', 'vera']));
    expect(JSON.stringify(all)).not.toMatch(/weft_api_|tokenHash/);
    const otto = await client(t.adminToken).apiTokens.list.query({ username: 'otto' });
    expect(otto.length).toBeGreaterThan(0);
    expect(otto.every((token) => token.username === 'otto')).toBe(true);
  });

  it('revokes a token at once: its owner may, an admin may, anyone else may not', async () => {
    const first = await signIn(OPERATOR);
    const second = await signIn(OPERATOR);
    const ids = (await client(first).apiTokens.mine.query()).map((token) => token.id);
    const [firstId, secondId] = ids.slice(-2);
    // A viewer cannot revoke, or even learn of, another user's token.
    const foreign = await client(t.tokens.VIEWER)
      .apiTokens.revoke.mutate({ id: secondId ?? '' })
      .catch((error: { data?: { httpStatus?: number } }) => error);
    expect(foreign).toMatchObject({ data: { httpStatus: 404 } });
    expect(await status(second)).toBe(200);

    await client(first).apiTokens.revoke.mutate({ id: firstId ?? '' });
    expect(await status(first)).toBe(401);
    await client(t.adminToken).apiTokens.revoke.mutate({ id: secondId ?? '' });
    expect(await status(second)).toBe(401);
    const listed = await client(t.adminToken).apiTokens.list.query({ username: 'otto' });
    expect(listed.find((token) => token.id === secondId)?.revokedAt).toBeInstanceOf(Date);
    expect((await audits('apiTokens.revoke')).map((a) => [a.actor, a.outcome]).slice(0, 2)).toEqual(
      [
        ['root', 'OK'],
        ['otto', 'OK'],
      ],
    );
  });

  it('stops a disabled user’s sessions and tokens at once, for good, and lets them sign in again once enabled', async () => {
    const admin = client(t.adminToken);
    const token = await signIn(OPERATOR);
    const login = await fetch(`${t.controller.apiUrl}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: OPERATOR }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const withCookie = () =>
      fetch(`${t.controller.apiUrl}/trpc/auth.me`, { headers: { cookie } }).then((r) => r.status);
    expect([await status(token), await withCookie()]).toEqual([200, 200]);

    await admin.users.disable.mutate({ username: 'otto' });
    expect([await status(token), await withCookie()]).toEqual([401, 401]);
    const sessions = db
      .prepare(
        'SELECT count(*) AS n FROM Session WHERE userId = (SELECT id FROM User WHERE username = ?)',
      )
      .get('otto') as { n: number };
    expect(sessions.n).toBe(0);
    const refused = await client()
      .auth.login.mutate({ ...OPERATOR, mode: 'token' })
      .catch((error: { data?: { httpStatus?: number } }) => error);
    expect(refused).toMatchObject({ data: { httpStatus: 401 } });
    expect(
      (await admin.users.list.query()).find((u) => u.username === 'otto')?.disabledAt,
    ).toBeInstanceOf(Date);

    await admin.users.enable.mutate({ username: 'otto' });
    // Enabling gives back signing in, not the credentials disabling ended.
    expect([await status(token), await withCookie()]).toEqual([401, 401]);
    expect(await status(await signIn(OPERATOR))).toBe(200);
    expect((await audits('users.disable')).at(0)).toMatchObject({
      actor: 'root',
      target: 'user/otto',
      outcome: 'OK',
    });
    expect((await audits('users.enable')).at(0)).toMatchObject({ actor: 'root', outcome: 'OK' });
  });

  it('refuses to disable the last enabled admin, naming why', async () => {
    const admin = client(t.adminToken);
    const refused = await admin.users.disable
      .mutate({ username: 'root' })
      .catch((error: { data?: { httpStatus?: number }; message: string }) => error);
    expect(refused).toMatchObject({ data: { httpStatus: 412 } });
    expect((refused as Error).message).toContain('root is the last enabled admin');
    expect(await status(t.adminToken)).toBe(200);
    expect((await audits('users.disable')).at(0)).toMatchObject({
      target: 'user/root',
      outcome: 'DENIED',
    });

    await admin.users.create.mutate({ username: 'ada', password: ADMIN_PASSWORD, role: 'ADMIN' });
    const ada = client(await signIn({ username: 'ada', password: ADMIN_PASSWORD }));
    await ada.users.disable.mutate({ username: 'root' });
    expect(await status(t.adminToken)).toBe(401);
    const last = await ada.users.disable.mutate({ username: 'ada' }).catch((error: Error) => error);
    expect(String(last)).toContain('ada is the last enabled admin');
    await ada.users.enable.mutate({ username: 'root' });
    const unknown = await ada.users.disable
      .mutate({ username: 'nobody' })
      .catch((error: Error) => error);
    expect(unknown).toMatchObject({ data: { httpStatus: 404 } });
  });
});
