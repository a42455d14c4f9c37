// The node-bare path: bare A (plain HTTP in) -> mTLS -> bare B -> service, two of the plainest
// Node forwarders (node-bare.ts) with the Weft proxies' certificates. Bundled with undici into
// one file first, so each runs under plain node as the Weft bundle does (no TypeScript loader
// in its CPU or memory).

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BenchPki } from './certificates.ts';
import { LOOPBACK } from './free-ports.ts';
import { type PathUnderTest, singleProcessSidecar } from './path.ts';
import { firstJsonLine } from './run-script.ts';
import type { Supervisor } from './supervisor.ts';

const START_TIMEOUT_MS = 15_000;
const SOURCE = fileURLToPath(new URL('node-bare.ts', import.meta.url));

export interface NodeBarePathParams {
  readonly supervisor: Supervisor;
  readonly dir: string;
  readonly bench: BenchPki;
  readonly servicePort: number;
}

export async function startNodeBarePath(params: NodeBarePathParams): Promise<PathUnderTest> {
  const { supervisor, bench } = params;
  const bundle = join(params.dir, 'node-bare.mjs');
  await build({
    entryPoints: [SOURCE],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    logLevel: 'error',
    // undici is CommonJS and requires Node's built-ins, which an ES module bundle must provide.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  const start = async (label: string, args: readonly string[]) => {
    const child = supervisor.start(label, process.execPath, [bundle, ...args], { stdout: 'pipe' });
    const { port } = (await firstJsonLine(child, START_TIMEOUT_MS)) as { port: number };
    return { child, port };
  };
  const tlsArgs = (files: BenchPki['client']) => [
    '--cert',
    files.certFile,
    '--key',
    files.keyFile,
    '--ca',
    files.trustBundleFile,
  ];
  const b = await start('node-bare-b', [
    '--role',
    'inbound',
    '--target',
    `http://${LOOPBACK}:${params.servicePort}`,
    ...tlsArgs(bench.server),
  ]);
  const a = await start('node-bare-a', [
    '--role',
    'outbound',
    '--target',
    `https://${LOOPBACK}:${b.port}`,
    ...tlsArgs(bench.client),
  ]);
  return {
    name: 'node-bare',
    url: `http://${LOOPBACK}:${a.port}/`,
    sidecars: [singleProcessSidecar('A', a.child), singleProcessSidecar('B', b.child)],
  };
}
