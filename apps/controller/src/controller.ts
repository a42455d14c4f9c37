// The controller process, assembled: database (migrated), first admin, operator API.
// Everything it starts is stopped by close().

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createOperatorApi } from './api/http-server.ts';
import { hashPassword } from './auth/passwords.ts';
import { openDatabase } from './db/database.ts';
import type { ControllerEnv } from './env.ts';
import { AuditRepository } from './repositories/audit.ts';
import { RevisionRepository } from './repositories/revisions.ts';
import { UserRepository } from './repositories/users.ts';

export interface RunningController {
  readonly apiUrl: string;
  readonly databaseFile: string;
  close(): Promise<void>;
}

export async function startController(env: ControllerEnv, log: Logger): Promise<RunningController> {
  const { db, file, migrated } = await openDatabase(env.WEFT_DB);
  if (migrated.length > 0) log.info({ migrations: migrated, file }, 'database migrated');
  const services = {
    revisions: new RevisionRepository(db),
    audit: new AuditRepository(db),
    users: new UserRepository(db),
  };

  if (
    env.WEFT_ADMIN_USERNAME !== undefined &&
    env.WEFT_ADMIN_PASSWORD !== undefined &&
    (await services.users.count()) === 0
  ) {
    await services.users.create(
      env.WEFT_ADMIN_USERNAME,
      await hashPassword(env.WEFT_ADMIN_PASSWORD),
      'ADMIN',
    );
    await services.audit.record({
      actor: 'controller',
      action: 'users.create',
      target: `user/${env.WEFT_ADMIN_USERNAME}`,
      outcome: 'OK',
      detail: { role: 'ADMIN', from: 'environment' },
    });
    log.info({ username: env.WEFT_ADMIN_USERNAME }, 'first admin created from the environment');
  }

  const api = createOperatorApi(services, (error, path) =>
    log.error({ err: error, path }, 'operator API request failed'),
  );
  api.listen(env.WEFT_API_PORT, env.WEFT_API_ADDRESS);
  await once(api, 'listening');
  const { port } = api.address() as AddressInfo;
  const apiUrl = `http://${env.WEFT_API_ADDRESS}:${port}`;
  log.info({ api: apiUrl, database: file }, 'controller listening');

  return {
    apiUrl,
    databaseFile: file,
    async close() {
      const closed = once(api, 'close');
      api.close();
      api.closeAllConnections();
      await closed;
      await db.$disconnect();
    },
  };
}
