// Builds dist/weft-proxy.mjs: the proxy and the workspace packages it uses compiled into one
// ES module, npm dependencies left as imports. Production runs this file with plain `node`: no
// TypeScript loader thread (tens of MB of RSS) and no helpers tsx adds to every function.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const APP = join(import.meta.dirname, '..');
const WORKSPACE_SCOPE = '@weft/';

/** Every npm dependency of the proxy and of the workspace packages it bundles stays external. */
function externalDependencies(): string[] {
  const manifests = [
    'apps/proxy',
    'packages/mesh-config',
    'packages/pki',
    'packages/telemetry',
  ].map(
    (dir) =>
      JSON.parse(readFileSync(join(APP, '../..', dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      },
  );
  const names = manifests.flatMap((m) => Object.keys(m.dependencies ?? {}));
  return [...new Set(names)].filter((name) => !name.startsWith(WORKSPACE_SCOPE));
}

await build({
  entryPoints: [join(APP, 'src/main.ts')],
  outfile: join(APP, 'dist/weft-proxy.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: externalDependencies(),
  logLevel: 'warning',
});
