// What the console's administration pages call, over real HTTP against a real controller: a
// user's role changed (at once for their tokens, never the last enabled admin's), a join token
// expired early (the next bootstrap with it refused over the proxy API's real TLS), each audited;
// viewers and operators refused, with nothing written but the refusal.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCsr, generateKeyPair } from '@weft/pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../src/cli/api-client.ts';
import { startTestController, type TestController } from './api-harness.ts';
import { ROOT } from './mesh-helpers.ts';
import { bootstrapProxy, proxyApiJson } from './proxy-api-client.ts';

/** The harness's users of each role. */
const USERNAMES = { VIEWER: 'vera', OPERATOR: 'otto' } as const;
const PAT = { username: 'pat', password: 'pat password 12' };
/** Three sign-ins (a scrypt hash each) and a mesh applied, on a machine others share. */
const STARTUP_TIMEOUT_MS = 120_000;

interface ApiError {
  readonly data?: { httpStatus?: number };
  readonly message: string;
}

describe('fleet administration', () => {
  let t: TestController;
  const client = (token?: string) =>
    apiClient({ server: t.controller.apiUrl, ...(token === undefined ? {} : { token }) });
  const failure = (call: Promise<unknown>) =>
    call.then(
      () => undefined,
      (error: ApiError) => error,
    );
  const audits = async (action: string) =>
    (await t.controller.services.audit.list({ limit: 500 })).filter((e) => e.action === action);
  const signIn = async (credentials: { username: string; password: string }) => {
    const { token } = await client().auth.login.mutate({ ...credentials, mode: 'token' });
    if (token === null) throw new Error('no token');
    return token;
  };
  /** A call that needs the operator role: 403 below it, past the role check a 404. */
  const operatorCallStatus = async (token: string) =>
    (await failure(client(token).proxies.remove.mutate({ id: 'no-such-proxy' })))?.data?.httpStatus;

  beforeAll(async () => {
    t = await startTestController();
    await client(t.adminToken).config.applyYaml.mutate({
      yaml: await readFile(join(ROOT, 'examples/mesh.yaml'), 'utf8'),
      file: 'mesh.yaml',
    });
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await t?.close();
  });

  it('changes a user’s role for their next request, token included, and audits it', async () => {
    const admin = client(t.adminToken);
    await admin.users.create.mutate({ ...PAT, role: 'VIEWER' });
    const token = await signIn(PAT);
    expect(await operatorCallStatus(token)).toBe(403);

    const promoted = await admin.users.setRole.mutate({ username: 'pat', role: 'OPERATOR' });
    expect(promoted).toMatchObject({ username: 'pat', role: 'OPERATOR', disabledAt: null });
    // The token was made for a viewer: it never acts above the role it was given.
    expect(await operatorCallStatus(token)).toBe(403);
    const operatorToken = await signIn(PAT);
    expect(await operatorCallStatus(operatorToken)).toBe(404);

    await admin.users.setRole.mutate({ username: 'pat', role: 'VIEWER' });
    expect(await operatorCallStatus(operatorToken)).toBe(403);
    expect(await client(operatorToken).auth.me.query()).toMatchObject({
      user: { username: 'pat', role: 'VIEWER' },
    });
    expect((await audits('users.setRole')).map((a) => [a.actor, a.target, a.detail])).toEqual([
      ['root', 'user/pat', { from: 'OPERATOR', to: 'VIEWER' }],
      ['root', 'user/pat', { from: 'VIEWER', to: 'OPERATOR' }],
    ]);
    expect((await admin.users.list.query()).find((u) => u.username === 'pat')?.role).toBe('VIEWER');
  });

  it('keeps the last enabled admin an admin (412, audited) and names an unknown user (404)', async () => {
    const admin = client(t.adminToken);
    const refused = await failure(admin.users.setRole.mutate({ username: 'root', role: 'VIEWER' }));
    expect(refused?.data?.httpStatus).toBe(412);
    expect(refused?.message).toContain('root is the last enabled admin');
    expect(await admin.auth.me.query()).toMatchObject({ user: { role: 'ADMIN' } });
    expect((await audits('users.setRole')).at(0)).toMatchObject({
      target: 'user/root',
      outcome: 'DENIED',
    });
    const unknown = await failure(
      admin.users.setRole.mutate({ username: 'nobody', role: 'ADMIN' }),
    );
    expect(unknown?.data?.httpStatus).toBe(404);
    expect(unknown?.message).toContain('user "nobody" does not exist');
  });

  it('refuses viewers and operators with 403, writing nothing but the refusal', async () => {
    const admin = client(t.adminToken);
    const { id } = await admin.tokens.create.mutate({ service: 'reviews', namespace: 'shop' });
    for (const role of ['VIEWER', 'OPERATOR'] as const) {
      const caller = client(t.tokens[role]);
      const before = t.fingerprint();
      const attempts = [
        // Promoting oneself, demoting the admin, ending a join token, listing them.
        () => caller.users.setRole.mutate({ username: USERNAMES[role], role: 'ADMIN' }),
        () => caller.users.setRole.mutate({ username: 'root', role: 'VIEWER' }),
        () => caller.tokens.expire.mutate({ id }),
        () => caller.tokens.list.query(),
      ];
      for (const attempt of attempts) {
        const refused = await failure(attempt());
        expect([role, refused?.data?.httpStatus]).toEqual([role, 403]);
        expect(refused?.message).toContain('needs the admin role');
      }
      const after = t.fingerprint();
      expect({ ...after, audit: 0 }).toEqual({ ...before, audit: 0 });
      expect(Number(after.audit) - Number(before.audit)).toBe(3);
    }
    const users = await admin.users.list.query();
    expect(users.map((u) => [u.username, u.role])).toEqual(
      expect.arrayContaining([
        ['vera', 'VIEWER'],
        ['otto', 'OPERATOR'],
        ['root', 'ADMIN'],
      ]),
    );
    const token = (await admin.tokens.list.query()).find((row) => row.id === id);
    expect(token?.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('expires a join token early: the next proxy that bootstraps with it is refused', async () => {
    const admin = client(t.adminToken);
    const { id, token } = await admin.tokens.create.mutate({
      service: 'catalog',
      namespace: 'shop',
      expiresInHours: 24,
    });
    await bootstrapProxy({
      proxyApiUrl: t.controller.proxyApiUrl,
      trustBundleFile: t.controller.trustBundleFile,
      token,
      id: 'catalog-before',
      port: 29_001,
    });

    const expired = await admin.tokens.expire.mutate({ id });
    expect(expired.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(JSON.stringify(expired)).not.toMatch(/weft_join|tokenHash/);
    const listed = (await admin.tokens.list.query()).find((row) => row.id === id);
    expect(listed).toMatchObject({ uses: 1, createdBy: 'root', expiresAt: expired.expiresAt });

    const refused = await proxyApiJson({
      proxyApiUrl: t.controller.proxyApiUrl,
      ca: await readFile(t.controller.trustBundleFile, 'utf8'),
      path: '/v1/bootstrap',
      body: {
        token,
        csr: await createCsr(await generateKeyPair()),
        workload: { id: 'catalog-after', address: '127.0.0.1', port: 29_002 },
      },
    });
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.body)).toContain('the join token is expired');

    // Expiring it again keeps the time it first ended.
    expect((await admin.tokens.expire.mutate({ id })).expiresAt).toEqual(expired.expiresAt);
    const expiries = (await audits('tokens.expire')).filter((a) => a.outcome === 'OK');
    expect(expiries).toHaveLength(2);
    expect(expiries.at(-1)).toMatchObject({
      actor: 'root',
      target: 'service/shop/catalog',
      outcome: 'OK',
      detail: { id },
    });
    const unknown = await failure(
      admin.tokens.expire.mutate({ id: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(unknown?.data?.httpStatus).toBe(404);
  });
});
