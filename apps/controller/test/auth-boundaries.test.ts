// Who may call what, over real HTTP, for every procedure of the appRouter: 401 without
// credentials, 403 below the role each needs (refused mutations audited), the per-session
// anti-CSRF token on cookie sessions, sign-in throttling (bursts, rotated addresses, addresses
// forwarded by the console with and without its secret).

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../src/cli/api-client.ts';
import type { Role } from '../src/repositories/users.ts';
import {
  ADMIN_PASSWORD,
  CONSOLE_SECRET,
  type HttpAnswer,
  httpCall,
  type ProcedureInfo,
  procedures,
  startTestController,
  type TestController,
} from './api-harness.ts';

type Access = Role | 'PUBLIC';

/** The role each procedure needs. A new procedure fails the first test until it is listed. */
const NEEDS: Record<string, Access> = {
  'auth.login': 'PUBLIC',
  'auth.logout': 'PUBLIC',
  'auth.me': 'VIEWER',
  'config.current': 'VIEWER',
  'config.validate': 'VIEWER',
  'config.diff': 'VIEWER',
  'config.applyYaml': 'OPERATOR',
  'routes.list': 'VIEWER',
  'routes.get': 'VIEWER',
  'routes.setCanaryWeights': 'OPERATOR',
  'policies.list': 'VIEWER',
  'policies.get': 'VIEWER',
  'revisions.list': 'VIEWER',
  'revisions.get': 'VIEWER',
  'revisions.diff': 'VIEWER',
  'revisions.rollback': 'OPERATOR',
  'revisions.propagation': 'VIEWER',
  'audit.list': 'VIEWER',
  'users.list': 'ADMIN',
  'users.create': 'ADMIN',
  'users.setRole': 'ADMIN',
  'users.disable': 'ADMIN',
  'users.enable': 'ADMIN',
  'apiTokens.mine': 'VIEWER',
  'apiTokens.list': 'ADMIN',
  'apiTokens.create': 'VIEWER',
  'apiTokens.revoke': 'VIEWER',
  'tokens.list': 'ADMIN',
  'tokens.create': 'ADMIN',
  'tokens.expire': 'ADMIN',
  'proxies.list': 'VIEWER',
  'proxies.remove': 'OPERATOR',
  'certificates.list': 'VIEWER',
  'certificates.inventory': 'VIEWER',
  'certificates.revoke': 'ADMIN',
  'certificates.rotateIntermediate': 'ADMIN',
  'certificates.prepareRootRotation': 'ADMIN',
  'certificates.activateRootRotation': 'ADMIN',
  'telemetry.byVersion': 'VIEWER',
  'telemetry.series': 'VIEWER',
  'telemetry.overview': 'VIEWER',
  'telemetry.graph': 'VIEWER',
  'services.list': 'VIEWER',
  'services.get': 'VIEWER',
  'rollouts.list': 'VIEWER',
  'rollouts.status': 'VIEWER',
  'rollouts.start': 'OPERATOR',
  'rollouts.pause': 'OPERATOR',
  'rollouts.resume': 'OPERATOR',
  'rollouts.promote': 'OPERATOR',
  'rollouts.abort': 'OPERATOR',
};
const ROLES: Role[] = ['VIEWER', 'OPERATOR', 'ADMIN'];
const RANK: Record<Access, number> = { PUBLIC: -1, VIEWER: 0, OPERATOR: 1, ADMIN: 2 };
/** An input no procedure takes: a caller who gets past the role check is told 400. */
const PROBE = JSON.stringify({ json: { probe: true } });

describe('operator API boundaries', () => {
  let t: TestController;
  const all = procedures();
  const guarded = all.filter((p) => NEEDS[p.path] !== 'PUBLIC');
  const mutations = guarded.filter((p) => p.type === 'mutation');
  const call = (p: ProcedureInfo, headers: Record<string, string> = {}, body = PROBE) =>
    httpCall(t.controller.apiUrl, p, body, headers);
  const bearer = (role: Role) => ({ authorization: `Bearer ${t.tokens[role]}` });
  const deniedAudits = async () =>
    (await t.controller.services.audit.list({ limit: 500 })).filter((e) => e.outcome === 'DENIED');

  beforeAll(async () => {
    t = await startTestController();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('knows the role of every procedure the router has', () => {
    for (const p of all) expect(NEEDS, `add ${p.path} to NEEDS`).toHaveProperty([p.path]);
  });

  it('answers 401 to every guarded procedure without credentials or with forged ones, and audits refused mutations', async () => {
    const before = (await deniedAudits()).length;
    for (const headers of [
      {},
      { authorization: 'Bearer weft_api_forged' },
      { authorization: `Bearer ${t.tokens.ADMIN}x` },
      { cookie: 'weft_session=weft_session_forged', 'x-weft-csrf': '1' },
    ]) {
      for (const p of guarded) {
        const answer = await call(p, headers);
        expect([p.path, answer.status, answer.data?.code]).toEqual([p.path, 401, 'UNAUTHORIZED']);
      }
    }
    const after = await deniedAudits();
    const audits = after.slice(0, after.length - before);
    expect(new Set(audits.map((a) => a.action))).toEqual(new Set(mutations.map((p) => p.path)));
    expect(audits.every((a) => a.actor.startsWith('anonymous@'))).toBe(true);
  });

  it('answers 403 naming the role needed below it, and lets every role at or above it through', async () => {
    const before = (await deniedAudits()).length;
    let refusedMutations = 0;
    // Admin-only certificate commands run for real at the end; the rest only meet a bad input.
    const order = [...guarded].sort(
      (a, b) => Number(a.input === undefined) - Number(b.input === undefined),
    );
    for (const p of order) {
      const needs = NEEDS[p.path] as Role;
      for (const role of ROLES) {
        const answer = await call(p, bearer(role));
        if (RANK[role] < RANK[needs]) {
          expect([p.path, role, answer.status]).toEqual([p.path, role, 403]);
          expect(answer.message).toContain(`needs the ${needs.toLowerCase()} role`);
          if (p.type === 'mutation') refusedMutations += 1;
        } else {
          expect([401, 403], `${p.path} as ${role}: ${answer.body}`).not.toContain(answer.status);
          if (p.input !== undefined) expect(answer.status, answer.body).toBe(400);
        }
      }
    }
    expect(refusedMutations).toBeGreaterThan(10);
    expect((await deniedAudits()).length - before).toBe(refusedMutations);
  });

  it('demands the anti-CSRF header on every mutation made with a session cookie', async () => {
    const { cookie, csrf } = await sessionOf(t.controller.apiUrl, 'root', ADMIN_PASSWORD);
    for (const p of mutations) {
      const without = await call(p, { cookie });
      expect([p.path, without.status]).toEqual([p.path, 403]);
      expect(without.message).toContain('x-weft-csrf');
      const withHeader = await call(p, { cookie, 'x-weft-csrf': csrf });
      expect([401, 403], `${p.path}: ${withHeader.body}`).not.toContain(withHeader.status);
      // A GET (an <img>, a link) never runs a mutation.
      const viaGet = await fetch(
        `${t.controller.apiUrl}/trpc/${p.path}?input=${encodeURIComponent(PROBE)}`,
        {
          headers: { cookie, 'x-weft-csrf': csrf },
        },
      );
      expect([p.path, viaGet.status]).toEqual([p.path, 405]);
    }
    for (const p of guarded.filter((q) => q.type === 'query')) {
      const answer = await call(p, { cookie });
      expect([401, 403], p.path).not.toContain(answer.status);
    }
    // No CORS: a page elsewhere cannot get a preflight through to send the header.
    const preflight = await fetch(`${t.controller.apiUrl}/trpc/config.applyYaml`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-weft-csrf, content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("refuses a session mutation whose x-weft-csrf is empty, made up or another session's token, and audits it", async () => {
    const mine = await sessionOf(t.controller.apiUrl, 'root', ADMIN_PASSWORD);
    const theirs = await sessionOf(t.controller.apiUrl, 'root', ADMIN_PASSWORD);
    const before = (await deniedAudits()).length;
    const wrongTokens = ['', '1', 'null', theirs.csrf, `${mine.csrf}x`, mine.csrf.slice(1)];
    for (const p of mutations) {
      for (const csrf of wrongTokens) {
        const answer = await call(p, { cookie: mine.cookie, 'x-weft-csrf': csrf });
        expect([p.path, csrf, answer.status]).toEqual([p.path, csrf, 403]);
      }
    }
    expect((await deniedAudits()).length - before).toBe(mutations.length * wrongTokens.length);
    expect(mine.csrf).not.toBe(theirs.csrf);
    // Signing out clears the readable token with the session.
    const logout = await fetch(`${t.controller.apiUrl}/trpc/auth.logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: mine.cookie },
    });
    expect(logout.headers.getSetCookie()).toContain(
      'weft_csrf=; SameSite=Strict; Path=/; Max-Age=0',
    );
  });

  it('locks a username out per address after five failures, even for the right password', async () => {
    const login = (username: string, password: string, localAddress?: string) =>
      loginFrom(t.controller.apiUrl, { username, password }, localAddress);
    const wrong = [];
    for (let i = 0; i < 5; i++) wrong.push((await login('vera', `guess ${i}`)).status);
    expect(wrong).toEqual([401, 401, 401, 401, 401]);
    expect((await login('vera', 'viewer password 1')).status).toBe(429);
    // Another user from the same address, and the same user from another address, still sign in.
    expect((await login('otto', 'operator password 1')).status).toBe(200);
    expect((await login('vera', 'viewer password 1', '127.0.0.2')).status).toBe(200);
    const refusals = (await t.controller.services.audit.list({ limit: 100 })).filter(
      (e) => e.action === 'auth.login' && e.target === 'user/vera',
    );
    expect(refusals).toHaveLength(5);
  });

  it('counts a burst of parallel guesses as it arrives: five are tried, the rest refused', async () => {
    // An unknown name is throttled like a real one, so the answers do not tell which exist.
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        loginFrom(t.controller.apiUrl, { username: 'ghost', password: `burst ${i}` }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
  });

  it('believes the address the console forwards only beside its secret: guesses from one browser do not lock out another', async () => {
    const viaConsole = (browser: string, password: string, secret = CONSOLE_SECRET) =>
      loginFrom(t.controller.apiUrl, { username: 'otto', password }, undefined, {
        'x-weft-console-secret': secret,
        'x-weft-client-address': browser,
      });
    const attacker = [];
    for (let i = 0; i < 6; i++)
      attacker.push((await viaConsole('198.51.100.7', `guess ${i}`)).status);
    expect(attacker).toEqual([401, 401, 401, 401, 401, 429]);
    // Otto's own browser, behind the same console, still signs in.
    expect((await viaConsole('198.51.100.8', 'operator password 1')).status).toBe(200);
    const denied = (await t.controller.services.audit.list({ limit: 100 })).filter(
      (e) => e.action === 'auth.login' && e.target === 'user/otto' && e.outcome === 'DENIED',
    );
    expect(denied.map((e) => e.detail)).toContainEqual({ from: '198.51.100.7' });

    // Without the secret (or with a wrong one) the header is anybody's: the socket counts.
    const forged = [];
    for (let i = 0; i < 6; i++) {
      const answer = await loginFrom(
        t.controller.apiUrl,
        { username: 'otto', password: `forged ${i}` },
        '127.0.0.3',
        {
          'x-weft-client-address': `203.0.113.${i}`,
          ...(i % 2 === 0 ? {} : { 'x-weft-console-secret': `${CONSOLE_SECRET}?` }),
        },
      );
      forged.push(answer.status);
    }
    expect(forged).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('slows a username guessed from ever new addresses, but not at an address it signed in from', async () => {
    const admin = apiClient({ server: t.controller.apiUrl, token: t.adminToken });
    await admin.users.create.mutate({
      username: 'wanda',
      password: 'wanda password 1',
      role: 'VIEWER',
    });
    // Each guess from another loopback address, as a client rotating its address would.
    const from = (address: string, password: string) =>
      loginFrom(t.controller.apiUrl, { username: 'wanda', password }, address);
    expect((await from('127.0.1.50', 'wanda password 1')).status).toBe(200);
    const rotated = [];
    for (let i = 0; i < 10; i++)
      rotated.push((await from(`127.0.1.${100 + i}`, `guess ${i}`)).status);
    expect(rotated).toEqual(Array(10).fill(401));
    // A new address is held back even with the right password; wanda's usual one is not.
    expect((await from('127.0.1.200', 'wanda password 1')).status).toBe(429);
    expect((await from('127.0.1.50', 'wanda password 1')).status).toBe(200);
  });
});

/** Signs in for a session: the cookie to send back, and the anti-CSRF token set beside it. */
async function sessionOf(apiUrl: string, username: string, password: string) {
  const login = await fetch(`${apiUrl}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { username, password } }),
  });
  const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
  const cookie = cookies.find((c) => c.startsWith('weft_session=')) ?? '';
  expect(cookie).toMatch(/^weft_session=weft_session_/);
  const csrf = cookies.find((c) => c.startsWith('weft_csrf='))?.slice('weft_csrf='.length);
  return { cookie, csrf: csrf ?? 'no weft_csrf cookie' };
}

/** POST auth.login, optionally from another loopback address (the throttle keys on it) and with
 * extra headers (what the console adds). */
function loginFrom(
  apiUrl: string,
  credentials: { username: string; password: string },
  localAddress?: string,
  extraHeaders: Record<string, string> = {},
): Promise<HttpAnswer> {
  const url = new URL(`${apiUrl}/trpc/auth.login`);
  const body = JSON.stringify({ json: credentials });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        ...(localAddress === undefined ? {} : { localAddress }),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...extraHeaders,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.once('end', () => {
          const error = (
            JSON.parse(text) as {
              error?: { json?: { message?: string; data?: Record<string, unknown> } };
            }
          ).error?.json;
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            data: error?.data,
            message: error?.message,
          });
        });
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}
