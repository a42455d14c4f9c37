// `weft controller`: runs the control plane until SIGTERM or SIGINT.

import { parseDuration } from '@weft/mesh-config';
import type { Command } from 'commander';
import { pino } from 'pino';
import { startController } from '../../controller.ts';
import { readEnv } from '../../env.ts';

export function registerControllerCommand(program: Command): void {
  program
    .command('controller')
    .description('run the controller: operator API and database (settings from WEFT_* variables)')
    .option('--db <file>', 'SQLite database file (WEFT_DB)')
    .option('--port <port>', 'operator API port (WEFT_API_PORT)')
    .option(
      '--proxy-remove-after <duration>',
      'remove proxies silent this long, e.g. 24h (WEFT_PROXY_REMOVE_AFTER_MS)',
    )
    .action(async (options: { db?: string; port?: string; proxyRemoveAfter?: string }) => {
      const log = pino({
        level: process.env.WEFT_LOG_LEVEL ?? 'info',
        base: { component: 'weft-controller' },
      });
      const removeAfterMs =
        options.proxyRemoveAfter === undefined
          ? undefined
          : parseDuration(options.proxyRemoveAfter);
      if (options.proxyRemoveAfter !== undefined && removeAfterMs === undefined)
        throw new Error(
          `--proxy-remove-after must be a duration such as 24h, got "${options.proxyRemoveAfter}"`,
        );
      const env = readEnv({
        ...process.env,
        ...(removeAfterMs === undefined
          ? {}
          : { WEFT_PROXY_REMOVE_AFTER_MS: String(removeAfterMs) }),
        ...(options.db === undefined ? {} : { WEFT_DB: options.db }),
        ...(options.port === undefined ? {} : { WEFT_API_PORT: options.port }),
      });
      const controller = await startController(env, log);
      const stop = async () => {
        await controller.close();
        process.exit(0);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
