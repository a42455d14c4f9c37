// The operator API on a real controller: sign-in, roles, CSRF, validation errors with lines,
// apply -> revisions -> rollback, refusals audited, and the CLI against it.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TRPCClientError } from '@trpc/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../src/cli/api-client.ts';
import { type RunningController, startController } from '../src/controller.ts';
import { readEnv } from '../src/env.ts';

const ROOT = join(import.meta.dirname, '../../..');
const ADMIN_PASSWORD = 'correct horse battery staple';

function statusOf(error: unknown): number | undefined {
  return error instanceof TRPCClientError
    ? (error.data as { httpStatus?: number } | undefined)?.httpStatus
    : undefined;
}

describe('operator API', () => {
  let controller: RunningController;
  let admin: ReturnType<typeof apiClient>;
  let adminToken: string;

  const tokenFor = async (username: string, password: string) => {
    const { token } = await apiClient({ server: controller.apiUrl }).auth.login.mutate({
      username,
      password,
      mode: 'token',
    });
    if (token === null) throw new Error('no token');
    return token;
  };

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-controller-'));
    controller = await startController(
      readEnv({
        WEFT_DB: join(dir, 'weft.db'),
        WEFT_API_PORT: '0',
        WEFT_ADMIN_USERNAME: 'root',
        WEFT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      }),
      pino({ level: 'silent' }),
    );
    adminToken = await tokenFor('root', ADMIN_PASSWORD);
    admin = apiClient({ server: controller.apiUrl, token: adminToken });
    await admin.users.create.mutate({
      username: 'vera',
      password: 'viewer password 1',
      role: 'VIEWER',
    });
    await admin.users.create.mutate({
      username: 'otto',
      password: 'operator password 1',
      role: 'OPERATOR',
    });
  });
  afterAll(async () => {
    await controller?.close();
  });

  it('refuses a mutation without credentials with 401, and audits it', async () => {
    const anonymous = apiClient({ server: controller.apiUrl });
    const error = await anonymous.config.applyYaml.mutate({ yaml: '' }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(401);
    const audit = await admin.audit.list.query({ limit: 20 });
    expect(
      audit.some(
        (e) =>
          e.action === 'config.applyYaml' &&
          e.outcome === 'DENIED' &&
          e.actor.startsWith('anonymous@'),
      ),
    ).toBe(true);
  });

  it("refuses a viewer's apply with 403 naming the role needed, and audits it", async () => {
    const viewer = apiClient({
      server: controller.apiUrl,
      token: await tokenFor('vera', 'viewer password 1'),
    });
    const yaml = await readFile(join(ROOT, 'examples/mesh.yaml'), 'utf8');
    const error = await viewer.config.applyYaml.mutate({ yaml }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(403);
    expect((error as Error).message).toContain('needs the operator role; vera is viewer');
    expect((await viewer.config.current.query()).length).toBe(0);
    const audit = await admin.audit.list.query({ limit: 20 });
    expect(audit.some((e) => e.actor === 'vera' && e.outcome === 'DENIED')).toBe(true);
  });

  it('applies, lists revisions, diffs and rolls back for an operator', async () => {
    const operator = apiClient({
      server: controller.apiUrl,
      token: await tokenFor('otto', 'operator password 1'),
    });
    const yaml = await readFile(join(ROOT, 'examples/mesh.yaml'), 'utf8');
    const first = await operator.config.applyYaml.mutate({
      yaml,
      file: 'mesh.yaml',
      message: 'initial',
    });
    expect(first).toMatchObject({ changed: true, revision: 1 });
    const canary = yaml
      .replace(
        '{ name: catalog, version: v1, weight: 90 }',
        '{ name: catalog, version: v1, weight: 60 }',
      )
      .replace(
        '{ name: catalog, version: v2, weight: 10 }',
        '{ name: catalog, version: v2, weight: 40 }',
      );
    expect(await operator.config.diff.mutate({ yaml: canary })).toMatchObject([
      { key: 'HTTPRoute/shop/catalog', action: 'updated' },
    ]);
    expect(
      await operator.config.applyYaml.mutate({ yaml: canary, message: 'canary 40%' }),
    ).toMatchObject({ changed: true, revision: 2 });
    expect(
      (await operator.revisions.list.query({ limit: 10 })).map((r) => [r.id, r.author, r.message]),
    ).toEqual([
      [2, 'otto', 'canary 40%'],
      [1, 'otto', 'initial'],
    ]);
    expect(await operator.revisions.rollback.mutate({ id: 1 })).toEqual({
      changed: true,
      revision: 3,
    });
    expect((await operator.revisions.diff.query({ from: 1, to: 3 })).length).toBe(0);
  });

  it('answers invalid YAML with 400 and every issue with its line, storing nothing', async () => {
    const before = (await admin.revisions.list.query({ limit: 50 })).length;
    const yaml =
      'apiVersion: weft.dev/v1alpha1\nkind: Service\nmetadata: { name: cart, namespace: shop }\nspec:\n  ports: [{ port: 0 }]\n';
    const error = await admin.config.applyYaml
      .mutate({ yaml, file: 'cart.yaml' })
      .catch((e: unknown) => e);
    expect(statusOf(error)).toBe(400);
    expect((error as TRPCClientError<never>).data).toMatchObject({
      meshIssues: [
        {
          file: 'cart.yaml',
          line: 5,
          column: 19,
          path: 'spec.ports[0].port',
          message: 'must be a port number from 1 to 65535, got 0',
        },
      ],
    });
    expect((await admin.revisions.list.query({ limit: 50 })).length).toBe(before);
  });

  it('answers a malformed input with 400 and the zod error, and a duplicate user with 409', async () => {
    const error = await admin.revisions.get.query({ id: -1 }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(400);
    expect((error as TRPCClientError<never>).data).toMatchObject({
      zodError: { fieldErrors: { id: expect.any(Array) } },
    });
    const duplicate = await admin.users.create
      .mutate({ username: 'vera', password: 'another password', role: 'VIEWER' })
      .catch((e: unknown) => e);
    expect(statusOf(duplicate)).toBe(409);
  });

  it('refuses an oversized request body', async () => {
    const response = await fetch(`${controller.apiUrl}/trpc/config.validate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ json: { yaml: 'x'.repeat(3 * 1024 * 1024) } }),
    });
    expect(response.status).toBe(413);
  });

  it('sets an HttpOnly SameSite session cookie and a readable anti-CSRF token, and demands that token on cookie mutations', async () => {
    const login = await fetch(`${controller.apiUrl}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { username: 'otto', password: 'operator password 1' } }),
    });
    const [cookie = '', csrfCookie = ''] = login.headers.getSetCookie();
    expect(cookie).toMatch(
      /^weft_session=weft_session_[\w-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/,
    );
    // The anti-CSRF token is readable by the console's script: no HttpOnly.
    expect(csrfCookie).toMatch(/^weft_csrf=[\w-]{43}; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    const session = cookie.split(';')[0] ?? '';
    const csrf = csrfCookie.split(';')[0]?.slice('weft_csrf='.length) ?? '';
    const rollback = (headers: Record<string, string>) =>
      fetch(`${controller.apiUrl}/trpc/revisions.rollback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: session, ...headers },
        body: JSON.stringify({ json: { id: 2 } }),
      });
    expect((await rollback({})).status).toBe(403);
    expect((await rollback({ 'x-weft-csrf': '1' })).status).toBe(403);
    expect((await rollback({ 'x-weft-csrf': csrf })).status).toBe(200);
  });

  it('throttles repeated failed sign-ins with 429', async () => {
    const client = apiClient({ server: controller.apiUrl });
    const statuses: (number | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        statusOf(
          await client.auth.login
            .mutate({ username: 'root', password: `wrong ${i}` })
            .catch((e: unknown) => e),
        ),
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('serves the CLI: weft apply and weft get with a token', async () => {
    const env = { ...process.env, WEFT_SERVER: controller.apiUrl, WEFT_TOKEN: adminToken };
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(ROOT, 'bin/weft.js'), ...args], {
        cwd: ROOT,
        env,
      });
    const applied = await run('apply', '-f', 'examples/mesh.yaml', '-m', 'from the CLI');
    expect(applied.stdout).toMatch(/^revision \d+\n {2}updated {2}HTTPRoute\/shop\/catalog\n$/);
    const routes = await run('get', 'HTTPRoute');
    expect(routes.stdout).toContain('kind: HTTPRoute');
    expect(routes.stdout).not.toContain('kind: Service');
  });
});
