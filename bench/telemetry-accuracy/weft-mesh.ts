// The mesh under test, all real: a controller process (bin/weft.js controller, its own SQLite
// file), and three proxies from the production bundle, each bootstrapped by join token and
// watching the controller: proxy A beside the load generator (client), proxy B1 and B2 beside
// the service's v1 and v2. Proxy A writes an access log line for every request (its own
// per-request latency, the same figure it puts in its telemetry sketch) and uploads telemetry
// every UPLOAD_INTERVAL_MS.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../../apps/controller/src/api/root.ts';
import { freePorts, LOOPBACK } from '../mesh-path/free-ports.ts';
import type { Child, Supervisor } from '../mesh-path/supervisor.ts';
import { waitFor200 } from '../mesh-path/wait-ready.ts';
import { VERSION_HEADER } from './records.ts';

export const NAMESPACE = 'bench';
/** The service under test, as the controller's API names it. */
export const SERVICE = `${NAMESPACE}/server`;
/** How often each proxy sends its traffic window to the controller (the proxy allows >= 100). */
export const UPLOAD_INTERVAL_MS = 1_000;
/** The production build (`npm run build -w @weft/proxy`, run by the npm script). */
const PROXY_BIN = 'apps/proxy/dist/weft-proxy.mjs';
const CONTROLLER_BIN = 'bin/weft.js';
const ADMIN_USER = 'bench';
const ADMIN_PASSWORD = 'bench password, long enough';
const START_TIMEOUT_MS = 60_000;
const PROBE_INTERVAL_MS = 100;
/** The port the Services declare; the proxies never listen on it. */
const SERVICE_PORT = 8080;
const SPLIT_PERCENT = 50;

export type Api = TRPCClient<AppRouter>;

export interface RunningMesh {
  readonly api: Api;
  /** Proxy A's local upstream port: the generator's target. */
  readonly url: string;
  /** Proxy A's admin port (its live traffic window at /telemetry). */
  readonly adminUrlA: string;
  readonly accessLogFile: string;
  readonly controller: Child;
  readonly proxies: readonly Child[];
}

function meshYaml(localPort: number): string {
  return `
apiVersion: weft.dev/v1alpha1
kind: Mesh
metadata: { name: default }
spec:
  trustDomain: bench.local
  mtls: { mode: STRICT }
  access: { defaultAction: allow }
---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: client, namespace: ${NAMESPACE} }
spec:
  ports: [{ port: ${SERVICE_PORT} }]
  upstreams: [{ service: { name: server }, localPort: ${localPort} }]
---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: server, namespace: ${NAMESPACE} }
spec:
  ports: [{ port: ${SERVICE_PORT} }]
  versions: [{ name: v1 }, { name: v2 }]
---
apiVersion: weft.dev/v1alpha1
kind: HTTPRoute
metadata: { name: server, namespace: ${NAMESPACE} }
spec:
  parentRefs: [{ name: server }]
  rules:
    - backendRefs:
        - { name: server, version: v1, weight: ${SPLIT_PERCENT} }
        - { name: server, version: v2, weight: ${100 - SPLIT_PERCENT} }
`;
}

export async function startMesh(params: {
  readonly supervisor: Supervisor;
  readonly repoRoot: string;
  readonly dir: string;
  /** The service's ports per version. */
  readonly servicePorts: Readonly<Record<'v1' | 'v2', number>>;
}): Promise<RunningMesh> {
  const { supervisor, repoRoot, dir } = params;
  const ports = await freePorts([
    'api',
    'proxyApi',
    'localUpstream',
    'inboundA',
    'adminA',
    'inboundB1',
    'adminB1',
    'inboundB2',
    'adminB2',
  ]);
  const controller = supervisor.start(
    'controller',
    process.execPath,
    [CONTROLLER_BIN, 'controller'],
    {
      cwd: repoRoot,
      env: {
        WEFT_DB: join(dir, 'weft.db'),
        WEFT_API_ADDRESS: LOOPBACK,
        WEFT_API_PORT: String(ports.api),
        WEFT_PROXY_API_ADDRESS: LOOPBACK,
        WEFT_PROXY_API_PORT: String(ports.proxyApi),
        WEFT_ADMIN_USERNAME: ADMIN_USER,
        WEFT_ADMIN_PASSWORD: ADMIN_PASSWORD,
        WEFT_LOG_LEVEL: 'warn',
      },
    },
  );
  const apiUrl = `http://${LOOPBACK}:${ports.api}`;
  await waitFor200(`${apiUrl}/healthz`, START_TIMEOUT_MS, [controller]);
  const { token } = await createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${apiUrl}/trpc`, transformer: superjson })],
  }).auth.login.mutate({ username: ADMIN_USER, password: ADMIN_PASSWORD, mode: 'token' });
  const api = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${apiUrl}/trpc`,
        transformer: superjson,
        headers: { authorization: `Bearer ${token}` },
      }),
    ],
  });
  await api.config.applyYaml.mutate({
    yaml: meshYaml(ports.localUpstream),
    message: 'bench:telemetry-accuracy',
  });
  const joinToken = async (service: string, maxUses: number) =>
    (await api.tokens.create.mutate({ service, namespace: NAMESPACE, maxUses })).token;
  const clientToken = await joinToken('client', 1);
  const serverToken = await joinToken('server', 2);

  const accessLogFile = join(dir, 'proxy-a-access.log');
  const controllerSection = {
    url: `https://${LOOPBACK}:${ports.proxyApi}`,
    trustBundleFile: join(dir, 'trust-bundle.pem'),
    telemetryIntervalMs: UPLOAD_INTERVAL_MS,
  };
  const startProxy = async (
    label: string,
    token: string,
    config: {
      workload: Record<string, string>;
      inbound: number;
      admin: number;
      application: number;
      accessLog?: Record<string, unknown>;
    },
  ): Promise<Child> => {
    const file = join(dir, `${label}.yaml`);
    // JSON is YAML; the proxy checks the file against its schema when it starts.
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: 'weft.dev/v1alpha1',
        kind: 'ProxyConfig',
        workload: { namespace: NAMESPACE, ...config.workload },
        inbound: { address: LOOPBACK, port: config.inbound },
        application: { address: LOOPBACK, port: config.application },
        outbound: { address: LOOPBACK },
        admin: { address: LOOPBACK, port: config.admin },
        // Written by the bootstrap, beside the config.
        tls: {
          certFile: `${label}.pem`,
          keyFile: `${label}-key.pem`,
          trustBundleFile: `${label}-ca.pem`,
        },
        controller: controllerSection,
        ...(config.accessLog === undefined ? {} : { accessLog: config.accessLog }),
      }),
    );
    const child = supervisor.start(
      label,
      process.execPath,
      [PROXY_BIN, '--config', file, '--log-level', 'warn'],
      { cwd: repoRoot, env: { WEFT_JOIN_TOKEN: token } },
    );
    await waitFor200(`http://${LOOPBACK}:${config.admin}/ready`, START_TIMEOUT_MS, [
      child,
      controller,
    ]);
    return child;
  };

  const b1 = await startProxy('proxy-b1', serverToken, {
    workload: { id: 'server-v1', service: 'server', version: 'v1' },
    inbound: ports.inboundB1,
    admin: ports.adminB1,
    application: params.servicePorts.v1,
  });
  const b2 = await startProxy('proxy-b2', serverToken, {
    workload: { id: 'server-v2', service: 'server', version: 'v2' },
    inbound: ports.inboundB2,
    admin: ports.adminB2,
    application: params.servicePorts.v2,
  });
  // No application calls the client's own service: its application port is never dialled.
  const a = await startProxy('proxy-a', clientToken, {
    workload: { id: 'client-1', service: 'client' },
    inbound: ports.inboundA,
    admin: ports.adminA,
    application: 1,
    accessLog: { enabled: true, sampleRatio: 1, path: accessLogFile },
  });
  const url = `http://${LOOPBACK}:${ports.localUpstream}/`;
  await bothVersionsAnswer(url, [controller, a, b1, b2]);
  return {
    api,
    url,
    adminUrlA: `http://${LOOPBACK}:${ports.adminA}`,
    accessLogFile,
    controller,
    proxies: [a, b1, b2],
  };
}

/** Ready proxies open their local port once a snapshot with both endpoints has arrived. */
async function bothVersionsAnswer(url: string, watched: readonly Child[]): Promise<void> {
  const seen = new Set<string>();
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no answer';
  while (seen.size < 2) {
    if (Date.now() > deadline) {
      throw new Error(`${url} did not reach both versions in ${START_TIMEOUT_MS} ms (${last})`);
    }
    const dead = watched.find((child) => !child.alive());
    if (dead !== undefined) throw new Error(`${dead.label} exited:\n${dead.logTail()}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      const version = response.headers.get(VERSION_HEADER);
      if (response.status === 200 && version !== null) seen.add(version);
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
}
