// The start most controller tests share: a controller in this process on a SQLite file of its
// own (both APIs on free ports, nothing printed), with the admin signed in over the operator API.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { apiClient } from '../src/cli/api-client.ts';
import { type RunningController, startController } from '../src/controller.ts';
import { readEnv } from '../src/env.ts';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface AdminController {
  readonly controller: RunningController;
  /** The admin's API client, signed in with an API token. */
  readonly admin: ReturnType<typeof apiClient>;
  readonly token: string;
  /** A temporary folder of the test's own, holding the database. */
  readonly dir: string;
}

/**
 * `name` names the temporary folder; `env` adds to or overrides the controller's settings
 * (WEFT_DB for a database file to reuse, WEFT_TELEMETRY_TIERS...).
 */
export async function startAdminController(
  name: string,
  env: Record<string, string> = {},
): Promise<AdminController> {
  const dir = await mkdtemp(join(tmpdir(), `weft-${name}-`));
  const controller = await startController(
    readEnv({
      WEFT_DB: join(dir, 'weft.db'),
      WEFT_API_PORT: '0',
      WEFT_PROXY_API_PORT: '0',
      WEFT_ADMIN_USERNAME: 'root',
      WEFT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...env,
    }),
    pino({ level: 'silent' }),
  );
  const { token } = await apiClient({ server: controller.apiUrl }).auth.login.mutate({
    username: 'root',
    password: ADMIN_PASSWORD,
    mode: 'token',
  });
  if (token === null) throw new Error('the admin got no API token');
  return { controller, admin: apiClient({ server: controller.apiUrl, token }), token, dir };
}
