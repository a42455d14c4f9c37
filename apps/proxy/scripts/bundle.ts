// Builds dist/weft-proxy.mjs: the proxy, the workspace packages and every npm dependency it uses
// compiled into ES modules that plain `node` runs. Nothing is resolved from node_modules at run
// time: module resolution and loading was most of a start's CPU (measured ~0.9 s to ready with
// dependencies left as imports, ~0.45 s bundled), and a restarting sidecar spends that CPU on
// the machine its neighbours are serving from. Code that is loaded on demand (the X.509 library,
// for bootstrap and renewal only) becomes its own chunk beside the entry.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const APP = join(import.meta.dirname, '..');
const OUT = join(APP, 'dist');

// Chunk names carry a content hash: old ones must not pile up beside the new.
await rm(OUT, { recursive: true, force: true });
await build({
  entryPoints: { 'weft-proxy': join(APP, 'src/main.ts') },
  outdir: OUT,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // CommonJS dependencies call require() for node's built-ins, which an ES module lacks.
  banner: {
    js: "import { createRequire as weftCreateRequire } from 'node:module'; const require = weftCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
