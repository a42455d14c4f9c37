// The web console as a demo process: the production build of apps/web served by `next start`,
// told where the controller's operator API is.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { type Children, waitForOk } from './processes.ts';

const WEB_APP = resolve(import.meta.dirname, '../../apps/web');

export async function startConsole(
  children: Children,
  port: number,
  apiUrl: string,
): Promise<string> {
  if (!existsSync(join(WEB_APP, '.next', 'BUILD_ID'))) {
    throw new Error('the console is not built: run `npm run build -w @weft/web` (npm start does)');
  }
  const nextBin = createRequire(join(WEB_APP, 'package.json')).resolve('next/dist/bin/next');
  const server = children.start(
    'console',
    process.execPath,
    [nextBin, 'start', WEB_APP, '--port', String(port), '--hostname', '127.0.0.1'],
    { WEFT_CONTROLLER_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
  );
  const url = `http://localhost:${port}`;
  await waitForOk(`http://127.0.0.1:${port}/login`, server);
  return url;
}
