// Shared by the hostile-input tests: a controller in this process, its procedures enumerated
// from the router definition, callers with a chosen principal, and raw HTTP with a role.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { appRouter } from '../src/api/root.ts';
import type { Context } from '../src/api/trpc.ts';
import { apiClient } from '../src/cli/api-client.ts';
import { type RunningController, startController } from '../src/controller.ts';
import { readEnv } from '../src/env.ts';
import type { Principal, Role } from '../src/repositories/users.ts';

import { ADMIN_PASSWORD } from './admin-controller.ts';

export { ADMIN_PASSWORD };
/** WEFT_CONSOLE_SECRET of the test controller: what a console would hold. */
export const CONSOLE_SECRET = 'test console secret, at least 32 characters long';

export interface ProcedureInfo {
  readonly path: string;
  readonly type: 'query' | 'mutation' | 'subscription';
  /** The zod schema of its input, or undefined when it takes none (and ignores what it gets). */
  readonly input: unknown;
}

/** Every procedure of the appRouter: a new one is covered without touching the tests. */
export function procedures(): ProcedureInfo[] {
  const all = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: ProcedureInfo['type']; inputs: unknown[] } }
  >;
  return Object.entries(all).map(([path, procedure]) => ({
    path,
    type: procedure._def.type,
    input: procedure._def.inputs[0],
  }));
}

/** The keys of an object input schema (through .default()), for inputs that are nearly right. */
export function inputKeys(schema: unknown): string[] {
  let node = schema as { shape?: Record<string, unknown>; def?: { innerType?: unknown } };
  for (let i = 0; i < 5 && node !== undefined; i++) {
    if (node.shape !== undefined) return Object.keys(node.shape);
    node = node.def?.innerType as typeof node;
  }
  return [];
}

export interface TestController {
  readonly controller: RunningController;
  readonly dir: string;
  /** Error-level lines the controller logged: a 500 would show up here. */
  readonly errors: unknown[];
  readonly adminToken: string;
  /** A user of each role, with an API token. */
  readonly tokens: Record<Role, string>;
  principal(role: Role): Promise<Principal>;
  /**
   * What the database holds, summed up cheaply (rows per table, the newest revision, the set in
   * force): equal before and after a refused call means it wrote nothing.
   */
  fingerprint(): Record<string, unknown>;
  caller(principal: Principal | undefined, options?: Partial<Context>): Caller;
  close(): Promise<void>;
}

export type Caller = (path: string, input: unknown) => Promise<unknown>;

const USERS: Record<Role, { username: string; password: string }> = {
  ADMIN: { username: 'root', password: ADMIN_PASSWORD },
  OPERATOR: { username: 'otto', password: 'operator password 1' },
  VIEWER: { username: 'vera', password: 'viewer password 1' },
};

export async function startTestController(): Promise<TestController> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-hostile-'));
  const errors: unknown[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => errors.push(JSON.parse(line)) });
  const controller = await startController(
    readEnv({
      WEFT_DB: join(dir, 'weft.db'),
      WEFT_API_PORT: '0',
      WEFT_PROXY_API_PORT: '0',
      WEFT_ADMIN_USERNAME: USERS.ADMIN.username,
      WEFT_ADMIN_PASSWORD: USERS.ADMIN.password,
      WEFT_CONSOLE_SECRET: CONSOLE_SECRET,
      // Rollouts started by a test move only when it says so, not between two of its reads.
      WEFT_ROLLOUT_TICK_MS: '60000',
    }),
    log,
  );
  const login = async (role: Role) => {
    const { token } = await apiClient({ server: controller.apiUrl }).auth.login.mutate({
      ...USERS[role],
      mode: 'token',
    });
    if (token === null) throw new Error('no token');
    return token;
  };
  const adminToken = await login('ADMIN');
  const admin = apiClient({ server: controller.apiUrl, token: adminToken });
  for (const role of ['OPERATOR', 'VIEWER'] as const)
    await admin.users.create.mutate({ ...USERS[role], role });
  const tokens = {
    ADMIN: adminToken,
    OPERATOR: await login('OPERATOR'),
    VIEWER: await login('VIEWER'),
  };

  const principal = async (role: Role): Promise<Principal> => {
    const user = (await controller.services.users.list()).find(
      (u) => u.username === USERS[role].username,
    );
    if (user === undefined) throw new Error(`no ${role} user`);
    return { ...user, via: 'api-token' };
  };
  const caller = (principal: Principal | undefined, options: Partial<Context> = {}): Caller => {
    const proxy = appRouter.createCaller({
      services: controller.services,
      principal,
      csrfToken: undefined,
      sessionSecret: undefined,
      clientAddress: '192.0.2.1',
      setCookie: () => undefined,
      ...options,
    }) as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
    return (path, input) => {
      const [router = '', name = ''] = path.split('.');
      const procedure = proxy[router]?.[name];
      if (procedure === undefined) throw new Error(`no procedure ${path}`);
      return procedure(input);
    };
  };
  const reader = new Database(controller.databaseFile, { readonly: true, fileMustExist: true });
  const summary = reader.prepare(`SELECT
      (SELECT max(id) FROM Revision) AS revision,
      (SELECT count(*) FROM Revision) AS revisions,
      (SELECT count(*) FROM ResourceChange) AS changes,
      (SELECT group_concat(kind || '/' || namespace || '/' || name || '@' || revisionId || '#' || length(document))
         FROM (SELECT * FROM CurrentResource ORDER BY kind, namespace, name)) AS current,
      (SELECT count(*) FROM User) AS users,
      (SELECT count(*) FROM Session) AS sessions,
      (SELECT count(*) FROM ApiToken) AS apiTokens,
      (SELECT count(*) FROM JoinToken) AS joinTokens,
      (SELECT count(*) || '/' || sum(status = 'REVOKED') FROM Certificate) AS certificates,
      (SELECT count(*) FROM CaKey WHERE active) AS activeCaKeys,
      (SELECT count(*) || '/' || max(updatedAt) FROM RolloutRun) AS rollouts,
      (SELECT count(*) FROM AuditEntry) AS audit`);
  return {
    controller,
    dir,
    errors,
    adminToken,
    tokens,
    principal,
    fingerprint: () => summary.get() as Record<string, unknown>,
    caller,
    close: async () => {
      reader.close();
      await controller.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What a call ended with: its value, or the TRPCError (anything else is a test failure). */
export async function settle(
  call: () => Promise<unknown>,
): Promise<{ ok: true; value: unknown } | { ok: false; error: TRPCError }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (error instanceof TRPCError) return { ok: false, error };
    throw error;
  }
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  /** The tRPC error's `data`, when the answer is one. */
  readonly data: Record<string, unknown> | undefined;
  readonly message: string | undefined;
}

/** One procedure over real HTTP, the way the tRPC client sends it (superjson envelope). */
export async function httpCall(
  apiUrl: string,
  procedure: Pick<ProcedureInfo, 'path' | 'type'>,
  body: string,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const url =
    procedure.type === 'query'
      ? `${apiUrl}/trpc/${procedure.path}?input=${percentEncoded(body)}`
      : `${apiUrl}/trpc/${procedure.path}`;
  const response = await fetch(url, {
    method: procedure.type === 'query' ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(procedure.type === 'query' ? {} : { body }),
  });
  return answerOf(response);
}

/** Like encodeURIComponent, but of the UTF-8 bytes: a lone surrogate goes as U+FFFD. */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

export async function answerOf(response: Response): Promise<HttpAnswer> {
  const body = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const error = (parsed as { error?: { json?: { message?: string; data?: unknown } } } | undefined)
    ?.error?.json;
  return {
    status: response.status,
    body,
    data: error?.data as Record<string, unknown> | undefined,
    message: error?.message,
  };
}
