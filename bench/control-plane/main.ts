// bench:control-plane — N simulated proxies bootstrapped and watching through the real proxy API
// of a real controller process; one canary weight changes; how long until every affected proxy
// has ACKed it (p50/p99), whether any unaffected proxy was sent anything, and the controller's
// RSS. Targets: p99 < 1 s at 1,000 proxies; RSS < 1.5 GB at 2,000 proxies.
// Usage: npm run bench:control-plane [-- --proxies 1000 --services 100]

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTRPCClient, httpLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../../apps/controller/src/api/root.ts';
import { syntheticMesh } from './mesh.ts';
import { SimulatedProxy } from './simulated-proxy.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PASSWORD = 'bench password, long enough';
const BOOTSTRAP_CONCURRENCY = 25;
const TARGET_P99_MS = 1_000;
const TARGET_RSS_MB = 1_536;
const SETTLE_MS = 3_000;
const WAIT_LIMIT_MS = 60_000;

const { values } = parseArgs({
  options: {
    proxies: { type: 'string', default: '1000' },
    services: { type: 'string', default: '100' },
  },
});
const proxyCount = Number(values.proxies);
const serviceCount = Number(values.services);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1_024;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

const dir = await mkdtemp(join(tmpdir(), 'weft-control-plane-'));
let controller: ChildProcess | undefined;
const proxies: SimulatedProxy[] = [];
try {
  const [apiPort, proxyApiPort] = [await freePort(), await freePort()];
  controller = spawn(process.execPath, [join(ROOT, 'bin/weft.js'), 'controller'], {
    env: {
      ...process.env,
      WEFT_DB: join(dir, 'weft.db'),
      WEFT_API_PORT: String(apiPort),
      WEFT_PROXY_API_PORT: String(proxyApiPort),
      WEFT_ADMIN_USERNAME: 'bench',
      WEFT_ADMIN_PASSWORD: PASSWORD,
      WEFT_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  for (let i = 0; ; i++) {
    if ((await fetch(`${apiUrl}/healthz`).catch(() => undefined))?.status === 200) break;
    if (i > 300) throw new Error('the controller did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const anonymous = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${apiUrl}/trpc`, transformer: superjson })],
  });
  const { token } = await anonymous.auth.login.mutate({
    username: 'bench',
    password: PASSWORD,
    mode: 'token',
  });
  const api = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${apiUrl}/trpc`,
        transformer: superjson,
        headers: { authorization: `Bearer ${token}` },
      }),
    ],
  });

  const mesh = syntheticMesh(serviceCount);
  await api.config.applyYaml.mutate({ yaml: mesh.yaml, message: 'bench mesh' });
  const tokens = new Map<string, string>();
  for (const service of mesh.services) {
    tokens.set(service, (await api.tokens.create.mutate({ service, namespace: 'bench' })).token);
  }
  const trustBundle = await readFile(join(dir, 'trust-bundle.pem'), 'utf8');
  const proxyApiUrl = `https://127.0.0.1:${proxyApiPort}`;

  process.stdout.write(
    `[control-plane] bootstrapping ${proxyCount} proxies over ${serviceCount} services…\n`,
  );
  const bootStarted = performance.now();
  for (let i = 0; i < proxyCount; i += BOOTSTRAP_CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(BOOTSTRAP_CONCURRENCY, proxyCount - i) }, async (_, k) => {
        const n = i + k;
        const service = mesh.services[n % serviceCount] as string;
        const proxy = new SimulatedProxy(`proxy-${n}`, service, proxyApiUrl, trustBundle);
        await proxy.bootstrap(tokens.get(service) ?? '', 20_000 + n);
        await proxy.watch();
        proxies.push(proxy);
      }),
    );
  }
  const bootSeconds = (performance.now() - bootStarted) / 1_000;
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const settledRss = await rssMb(controller.pid ?? 0);

  const changed = mesh.services[0] as string;
  const affectedServices = new Set(mesh.callersOf(changed));
  const before = new Map(proxies.map((p) => [p, p.received.length]));
  const t0 = performance.now();
  const result = await api.routes.setCanaryWeights.mutate({
    namespace: 'bench',
    route: changed,
    weights: { v1: 50, v2: 50 },
  });
  const prefix = `r${result.revision}.`;
  const affected = proxies.filter((p) => affectedServices.has(p.service));
  const deadline = Date.now() + WAIT_LIMIT_MS;
  const ackedAt = (p: SimulatedProxy) =>
    p.received.find((r) => r.version.startsWith(prefix))?.ackedAt;
  while (Date.now() < deadline && affected.some((p) => ackedAt(p) === undefined))
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 500));
  const times = affected.map((p) => (ackedAt(p) ?? Number.NaN) - t0).sort((a, b) => a - b);
  const unaffectedSent = proxies.filter(
    (p) => !affectedServices.has(p.service) && p.received.length > (before.get(p) ?? 0),
  ).length;
  const rss = await rssMb(controller.pid ?? 0);

  const p99 = quantile(times, 0.99);
  process.stdout.write(`
proxies                              ${proxyCount} (${serviceCount} services, ${affected.length} affected by the change)
bootstrap + watch, all proxies       ${bootSeconds.toFixed(1)} s (${(proxyCount / bootSeconds).toFixed(0)} proxies/s)
time to ACK, affected proxies        p50 ${quantile(times, 0.5).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${times.at(-1)?.toFixed(0)} ms
snapshots sent to unaffected proxies ${unaffectedSent}
controller RSS                       ${settledRss.toFixed(0)} MB settled, ${rss.toFixed(0)} MB after the change

target                                       value   verdict
p99 time to ACK < ${TARGET_P99_MS} ms (1,000 proxies)     ${p99.toFixed(0).padStart(6)}   ${proxyCount >= 1_000 ? (p99 < TARGET_P99_MS ? 'PASS' : 'FAIL') : 'n/a (fewer proxies)'}
unaffected proxies re-sent nothing               ${String(unaffectedSent).padStart(6)}   ${unaffectedSent === 0 ? 'PASS' : 'FAIL'}
controller RSS < ${TARGET_RSS_MB} MB (2,000 proxies)    ${rss.toFixed(0).padStart(6)}   ${proxyCount >= 2_000 ? (rss < TARGET_RSS_MB ? 'PASS' : 'FAIL') : 'n/a (run with --proxies 2000)'}
`);
} finally {
  await Promise.allSettled(proxies.map((p) => p.close()));
  controller?.kill('SIGTERM');
  if (controller !== undefined && controller.exitCode === null) await once(controller, 'exit');
  await rm(dir, { recursive: true, force: true });
}
