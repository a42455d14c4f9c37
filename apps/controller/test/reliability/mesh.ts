// A mesh for the reliability tests and the soak, every part its own process so that faults are
// real: the controller (`weft controller` on a SQLite file), a client proxy whose local port
// the load generator calls, and two instances of `server` (v1 and v2), each a stand-in service
// with its proxy. Proxies bootstrap by join token and keep their state directory, as in
// production. Each part can be stopped (any signal) and started again on the same ports.

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { apiClient } from '../../src/cli/api-client.ts';
import { ROOT } from '../mesh-helpers.ts';
import { running, type Started, stablePort, startNode, stopProcess } from './processes.ts';

export const NAMESPACE = 'shop';
const PASSWORD = 'correct horse battery staple';
const SERVICE_SCRIPT = join(import.meta.dirname, 'stand-in-service.ts');
/** The proxy from source through tsx, as mesh-e2e runs it, or the production bundle. */
export const PROXY_SOURCE_BIN = join(ROOT, 'apps/proxy/bin/weft-proxy.js');
export const PROXY_BUNDLE = join(ROOT, 'apps/proxy/dist/weft-proxy.mjs');
const READY_TIMEOUT_MS = 60_000;
/**
 * The controller's scheduling priority here (nice 10): in production it runs on machines of its
 * own, not beside the data plane; here it shares two cores with the path under test, and its
 * start (through tsx, ~2.5 s of a core, profiled) took them from the proxies: at half the
 * capacity, 4,293 of 33,595 requests timed out while it came back from an outage.
 */
const CONTROLLER_NICENESS = 10;
const POLL_MS = 100;

export type AdminApi = ReturnType<typeof apiClient>;

export interface MeshSettings {
  /** The `spec` lines of the Mesh resource after trustDomain and access (indented 2). */
  readonly meshSpec?: string;
  /** The HTTPRoute's rules (indented 4); default: the whole service, both instances. */
  readonly rules?: string;
  /** More documents (a TrafficPolicy…), appended as they are. */
  readonly extra?: string;
}

/** The mesh YAML of this topology: client calls server through an HTTPRoute. */
export function meshYaml(localPort: number, settings: MeshSettings = {}): string {
  return `apiVersion: weft.dev/v1alpha1
kind: Mesh
metadata: { name: default }
spec:
  trustDomain: weft.local
  access: { defaultAction: allow }
${settings.meshSpec ?? ''}
---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: client, namespace: ${NAMESPACE} }
spec:
  ports: [{ port: 8080 }]
  upstreams: [{ service: { name: server }, localPort: ${localPort} }]
---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: server, namespace: ${NAMESPACE} }
spec:
  ports: [{ port: 8080 }]
  versions: [{ name: v1 }, { name: v2 }]
---
apiVersion: weft.dev/v1alpha1
kind: HTTPRoute
metadata: { name: server, namespace: ${NAMESPACE} }
spec:
  parentRefs: [{ name: server }]
  rules:
${settings.rules ?? '    - backendRefs: [{ name: server }]'}
${settings.extra ?? ''}`;
}

/** One process of the mesh that can be stopped and started again with the same settings. */
export class MeshProcess {
  private current: Started | undefined;

  constructor(
    readonly name: string,
    private readonly launch: () => Started,
    private readonly ready: () => Promise<boolean>,
  ) {}

  get pid(): number {
    if (this.current === undefined || !running(this.current.child))
      throw new Error(`${this.name} is not running`);
    return this.current.pid;
  }

  get isRunning(): boolean {
    return this.current !== undefined && running(this.current.child);
  }

  /** Starts the process and waits until it is ready. */
  async start(): Promise<void> {
    if (this.isRunning) throw new Error(`${this.name} is already running`);
    const started = this.launch();
    this.current = started;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!running(started.child))
        throw new Error(`${this.name} exited (${started.child.exitCode}); see its log in logs/`);
      if (await this.ready().catch(() => false)) return;
      await sleep(POLL_MS);
    }
    throw new Error(`${this.name} was not ready within ${READY_TIMEOUT_MS} ms`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.current !== undefined) await stopProcess(this.current.child, signal);
  }

  /** Writes a line to the process's stdin (the stand-in service's commands). */
  send(line: string): void {
    this.current?.child.stdin?.write(`${line}\n`);
  }
}

export interface ProxyPorts {
  readonly admin: number;
  readonly inbound: number;
}

export class ReliabilityMesh {
  private constructor(
    readonly dir: string,
    /** Where the load generator calls `server` through the client proxy. */
    readonly url: string,
    readonly localPort: number,
    readonly controller: MeshProcess,
    readonly apiUrl: string,
    readonly proxyApiUrl: string,
    readonly api: AdminApi,
    readonly proxies: ReadonlyMap<string, MeshProcess & { ports: ProxyPorts }>,
    readonly services: ReadonlyMap<string, MeshProcess>,
  ) {}

  /**
   * Starts everything and waits until the client proxy reaches both server instances; on a
   * failure, stops what it started. `proxyBin` is the proxy's entry point: sources or bundle.
   */
  static async start(
    options: {
      name: string;
      settings?: MeshSettings;
      proxyBin?: string;
      telemetryIntervalMs?: number;
    } = { name: 'mesh' },
  ): Promise<ReliabilityMesh> {
    const dir = await mkdtemp(join(tmpdir(), `weft-${options.name}-`));
    await mkdir(join(dir, 'logs'));
    const [apiPort, proxyApiPort, localPort] = [
      await stablePort(),
      await stablePort(),
      await stablePort(),
    ];
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const proxyApiUrl = `https://127.0.0.1:${proxyApiPort}`;
    const controller = controllerProcess(dir, apiPort, proxyApiPort);
    const services = new Map<string, MeshProcess>();
    const proxies = new Map<string, MeshProcess & { ports: ProxyPorts }>();
    try {
      await controller.start();
      const { token } = await apiClient({ server: apiUrl }).auth.login.mutate({
        username: 'root',
        password: PASSWORD,
        mode: 'token',
      });
      const api = apiClient({ server: apiUrl, token: token ?? '' });
      await api.config.applyYaml.mutate({
        yaml: meshYaml(localPort, options.settings),
        message: 'reliability mesh',
      });
      const joinToken = async (service: string) =>
        (await api.tokens.create.mutate({ service, namespace: NAMESPACE, maxUses: 10 })).token;
      const tokens = { client: await joinToken('client'), server: await joinToken('server') };
      for (const workload of WORKLOADS) {
        let appPort = UNUSED_APPLICATION_PORT;
        if (workload.service === 'server') {
          appPort = await stablePort();
          services.set(workload.id, serviceProcess(dir, workload.id, appPort));
        }
        const proxy = await proxyProcess(dir, workload, {
          appPort,
          proxyApiUrl,
          token: tokens[workload.service],
          proxyBin: options.proxyBin ?? PROXY_SOURCE_BIN,
          telemetryIntervalMs: options.telemetryIntervalMs,
        });
        proxies.set(workload.id, proxy);
      }
      await Promise.all([...services.values()].map((s) => s.start()));
      await Promise.all([...proxies.values()].map((p) => p.start()));
      const mesh = new ReliabilityMesh(
        dir,
        `http://127.0.0.1:${localPort}/`,
        localPort,
        controller,
        apiUrl,
        proxyApiUrl,
        api,
        proxies,
        services,
      );
      await mesh.waitForAnswers(['server-1', 'server-2']);
      return mesh;
    } catch (error) {
      const all = [...proxies.values(), ...services.values(), controller];
      await Promise.all(all.map((p) => p.stop('SIGKILL')));
      throw error;
    }
  }

  /** Every proxy or service by name, for fault injection. */
  proxy(id: string): MeshProcess & { ports: ProxyPorts } {
    const proxy = this.proxies.get(id);
    if (proxy === undefined) throw new Error(`no proxy ${id}`);
    return proxy;
  }

  service(id: string): MeshProcess {
    const service = this.services.get(id);
    if (service === undefined) throw new Error(`no service ${id}`);
    return service;
  }

  /** The running processes by name, for /proc sampling. */
  pids(): Map<string, number> {
    const all = [this.controller, ...this.proxies.values(), ...this.services.values()];
    return new Map(all.filter((p) => p.isRunning).map((p) => [p.name, p.pid]));
  }

  /** Waits until calls through the client proxy have reached each of the named instances. */
  async waitForAnswers(names: readonly string[], timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const seen = new Set<string>();
    await waitUntil(`answers from ${names.join(', ')}`, timeoutMs, async () => {
      const response = await fetch(this.url);
      if (response.status === 200) seen.add(await response.text());
      return names.every((n) => seen.has(n));
    });
  }

  /** Waits until every registered proxy is SYNCED and, if given, `also` holds for the fleet. */
  async waitSynced(
    also: (fleet: Awaited<ReturnType<AdminApi['proxies']['list']['query']>>) => boolean = () =>
      true,
    timeoutMs = READY_TIMEOUT_MS,
  ): Promise<void> {
    await waitUntil('every proxy SYNCED', timeoutMs, async () => {
      const fleet = await this.api.proxies.list.query();
      return fleet.every((p) => p.syncState === 'SYNCED') && also(fleet);
    });
  }

  async close(): Promise<void> {
    const proxies = [...this.proxies.values()];
    await Promise.all(proxies.map((p) => p.stop()));
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    await this.controller.stop();
  }
}

const WORKLOADS = [
  { id: 'client-1', service: 'client', version: undefined },
  { id: 'server-1', service: 'server', version: 'v1' },
  { id: 'server-2', service: 'server', version: 'v2' },
] as const;
/** Nothing calls the client's own service, so its proxy's application port is never used. */
const UNUSED_APPLICATION_PORT = 1;

function controllerProcess(dir: string, apiPort: number, proxyApiPort: number): MeshProcess {
  const launch = () =>
    startNode([join(ROOT, 'bin/weft.js'), 'controller'], {
      logFile: join(dir, 'logs/controller.log'),
      env: {
        WEFT_DB: join(dir, 'weft.db'),
        WEFT_API_PORT: String(apiPort),
        WEFT_PROXY_API_PORT: String(proxyApiPort),
        WEFT_ADMIN_USERNAME: 'root',
        WEFT_ADMIN_PASSWORD: PASSWORD,
        WEFT_LOG_LEVEL: 'warn',
      },
    });
  return new MeshProcess(
    'controller',
    () => {
      const started = launch();
      setPriority(started.pid, CONTROLLER_NICENESS);
      return started;
    },
    async () => (await fetch(`http://127.0.0.1:${apiPort}/healthz`)).status === 200,
  );
}

function serviceProcess(dir: string, id: string, port: number): MeshProcess {
  return new MeshProcess(
    `service ${id}`,
    () =>
      startNode(['--import', 'tsx', SERVICE_SCRIPT, id, String(port)], {
        logFile: join(dir, `logs/service-${id}.log`),
        stdin: 'pipe',
      }),
    async () => (await fetch(`http://127.0.0.1:${port}/`)).status === 200,
  );
}

/** Writes a controller-mode ProxyConfig (fixed ports, a state directory) and its process. */
async function proxyProcess(
  dir: string,
  workload: (typeof WORKLOADS)[number],
  params: {
    appPort: number;
    proxyApiUrl: string;
    token: string;
    proxyBin: string;
    telemetryIntervalMs: number | undefined;
  },
): Promise<MeshProcess & { ports: ProxyPorts }> {
  const ports = { admin: await stablePort(), inbound: await stablePort() };
  const config = join(dir, `${workload.id}.yaml`);
  await writeFile(
    config,
    stringify({
      apiVersion: 'weft.dev/v1alpha1',
      kind: 'ProxyConfig',
      workload: {
        id: workload.id,
        service: workload.service,
        namespace: NAMESPACE,
        ...(workload.version === undefined ? {} : { version: workload.version }),
      },
      inbound: { address: '127.0.0.1', port: ports.inbound },
      application: { port: params.appPort },
      admin: { port: ports.admin },
      tls: {
        certFile: `${workload.id}.pem`,
        keyFile: `${workload.id}-key.pem`,
        trustBundleFile: `${workload.id}-ca.pem`,
      },
      controller: {
        url: params.proxyApiUrl,
        trustBundleFile: join(dir, 'trust-bundle.pem'),
        ...(params.telemetryIntervalMs === undefined
          ? {}
          : { telemetryIntervalMs: params.telemetryIntervalMs }),
      },
      stateDir: `state/${workload.id}`,
    }),
  );
  const proxy = new MeshProcess(
    `proxy ${workload.id}`,
    () =>
      startNode([params.proxyBin, '--config', config, '--log-level', 'warn'], {
        logFile: join(dir, `logs/proxy-${workload.id}.log`),
        env: { WEFT_JOIN_TOKEN: params.token },
      }),
    async () => (await fetch(`http://127.0.0.1:${ports.admin}/ready`)).status === 200,
  );
  return Object.assign(proxy, { ports });
}

export async function waitUntil(
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
