// The web console as a demo process: the production build of apps/web served by its server.ts
// (Next.js behind node:http, which tells the controller each browser's own address), told where
// the controller's operator API is and the secret it shares with the controller.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Children, waitForOk } from './processes.ts';

const WEB_APP = resolve(import.meta.dirname, '../../apps/web');

export async function startConsole(
  children: Children,
  port: number,
  apiUrl: string,
  consoleSecret: string,
): Promise<string> {
  if (!existsSync(join(WEB_APP, '.next', 'BUILD_ID'))) {
    throw new Error('the console is not built: run `npm run build -w @weft/web` (npm start does)');
  }
  const server = children.start(
    'console',
    process.execPath,
    [
      '--import',
      'tsx',
      join(WEB_APP, 'server.ts'),
      '--port',
      String(port),
      '--hostname',
      '127.0.0.1',
    ],
    {
      WEFT_CONTROLLER_URL: apiUrl,
      WEFT_CONSOLE_SECRET: consoleSecret,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
    },
  );
  const url = `http://localhost:${port}`;
  await waitForOk(`http://127.0.0.1:${port}/login`, server);
  return url;
}
