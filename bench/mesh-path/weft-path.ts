// The Weft path: proxy A (outbound, plain HTTP on its local upstream port) -> mTLS -> proxy B
// (inbound) -> service, each proxy its own process started from its config file.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchPki } from './certificates.ts';
import { freePorts, LOOPBACK } from './free-ports.ts';
import type { WeftVariant } from './options.ts';
import { type Handshakes, type PathUnderTest, singleProcessSidecar } from './path.ts';
import type { Child, Supervisor } from './supervisor.ts';
import { waitFor200 } from './wait-ready.ts';
import { type WeftTelemetry, writeWeftConfig } from './weft-mesh.ts';

const START_TIMEOUT_MS = 30_000;
/** The production build (`npm run build -w @weft/proxy`, run by the bench:mesh-path script). */
const PROXY_BIN = 'apps/proxy/dist/weft-proxy.mjs';
const HANDSHAKE_METRIC = 'weft_tls_handshakes_total';

export interface WeftPathParams {
  readonly supervisor: Supervisor;
  readonly repoRoot: string;
  readonly dir: string;
  readonly bench: BenchPki;
  readonly servicePort: number;
  /** Where --cpu-prof profiles go, when profiling. */
  readonly cpuProfDir: string | undefined;
  readonly telemetry: WeftTelemetry;
  readonly name: WeftVariant;
}

export async function startWeftPath(params: WeftPathParams): Promise<PathUnderTest> {
  const ports = {
    ...(await freePorts(['localUpstream', 'inboundA', 'adminA', 'inboundB', 'adminB'])),
    application: params.servicePort,
  };
  const files = await writeWeftConfig(
    params.dir,
    params.bench.pki.trustDomain,
    ports,
    params.bench,
    params.telemetry,
  );
  const start = async (label: string, config: string): Promise<Child> => {
    const { cpuProfDir } = params;
    // One folder per proxy: profile file names carry only a pid.
    const profDir = cpuProfDir === undefined ? undefined : join(cpuProfDir, label);
    if (profDir !== undefined) await mkdir(profDir, { recursive: true });
    const nodeFlags = profDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
    return params.supervisor.start(
      label,
      process.execPath,
      [...nodeFlags, PROXY_BIN, '--config', config, '--log-level', 'warn'],
      { cwd: params.repoRoot },
    );
  };
  // B first: A's first request must find it listening.
  const b = await start(`${params.name}-proxy-b`, files.proxyB);
  await waitFor200(`http://${LOOPBACK}:${ports.adminB}/ready`, START_TIMEOUT_MS, [b]);
  const a = await start(`${params.name}-proxy-a`, files.proxyA);
  await waitFor200(`http://${LOOPBACK}:${ports.adminA}/ready`, START_TIMEOUT_MS, [a, b]);
  const url = `http://${LOOPBACK}:${ports.localUpstream}/`;
  // Ready means a snapshot is applied; the local upstream port opens just after it.
  await waitFor200(url, START_TIMEOUT_MS, [a, b]);
  return {
    name: params.name,
    url,
    sidecars: [singleProcessSidecar('A', a), singleProcessSidecar('B', b)],
    handshakes: () => handshakes(`http://${LOOPBACK}:${ports.adminA}/metrics`),
    saveDiagnostics: async (logDir) => {
      for (const [name, port] of [
        ['a', ports.adminA],
        ['b', ports.adminB],
      ] as const) {
        const text = await (await fetch(`http://${LOOPBACK}:${port}/metrics`)).text();
        await writeFile(join(logDir, `${params.name}-proxy-${name}.metrics.txt`), text);
      }
    },
  };
}

/** Proxy A's outbound handshake counters from its Prometheus text. */
async function handshakes(metricsUrl: string): Promise<Handshakes> {
  const text = await (await fetch(metricsUrl)).text();
  const counter = (resumed: boolean): number => {
    const line = text
      .split('\n')
      .find(
        (candidate) =>
          candidate.startsWith(`${HANDSHAKE_METRIC}{`) &&
          candidate.includes('direction="outbound"') &&
          candidate.includes(`resumed="${resumed}"`),
      );
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return { full: counter(false), resumed: counter(true) };
}
