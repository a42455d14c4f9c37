// Real pieces for proxy tests: a test CA made here, plain HTTP services, proxies on port 0,
// snapshots compiled from YAML. Nothing is mocked; everything talks over loopback sockets.

import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compileSnapshots,
  loadMeshConfig,
  type ProxySnapshot,
  type WorkloadEndpoint,
} from '@weft/mesh-config';
import type { TestPki } from '@weft/pki';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { type ProxyConfig, proxyConfigSchema } from '../src/config/proxy-config.ts';
import { type RunningProxy, startProxy } from '../src/proxy.ts';

export const silent = pino({ level: 'silent' });

export interface TestService {
  readonly server: Server;
  readonly port: number;
  readonly hits: IncomingMessage[];
  close(): Promise<void>;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A plain HTTP service; by default it answers with who it is and what it saw. */
export async function startService(
  name: string,
  handler?: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestService> {
  const hits: IncomingMessage[] = [];
  const server = createServer(async (req, res) => {
    hits.push(req);
    if (handler !== undefined) return handler(req, res);
    const body = await readBody(req);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        service: name,
        method: req.method,
        url: req.url,
        headers: req.headers,
        bytes: body.length,
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    hits,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export interface ProxyFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly trustBundleFile: string;
}

export async function writeIdentity(
  pki: TestPki,
  dir: string,
  namespace: string,
  service: string,
  options?: Parameters<TestPki['identity']>[2],
): Promise<ProxyFiles> {
  const identity = await pki.identity(namespace, service, options);
  const name = `${service}-${identity.serial.slice(0, 8)}`;
  const files = {
    certFile: join(dir, `${name}.pem`),
    keyFile: join(dir, `${name}-key.pem`),
    trustBundleFile: join(dir, `${name}-ca.pem`),
  };
  await Promise.all([
    writeFile(files.certFile, identity.certPem),
    writeFile(files.keyFile, identity.keyPem, { mode: 0o600 }),
    writeFile(files.trustBundleFile, identity.caPem),
  ]);
  return files;
}

export function compile(
  meshYaml: string,
  workloads: WorkloadEndpoint[],
  version = 'v1',
): Map<string, ProxySnapshot> {
  const { resources, issues } = loadMeshConfig([{ file: 'test-mesh.yaml', text: meshYaml }]);
  if (issues.length > 0) throw new Error(`test mesh is invalid: ${JSON.stringify(issues)}`);
  return compileSnapshots({ resources: resources.map((r) => r.resource), workloads, version });
}

export function proxyConfig(
  workload: { id: string; service: string; namespace?: string; version?: string },
  applicationPort: number,
  tls: ProxyFiles,
  extra: {
    httpProxy?: boolean;
    stateDir?: string;
    sections?: Record<string, unknown> | undefined;
  } = {},
): ProxyConfig {
  return proxyConfigSchema.parse({
    apiVersion: 'weft.dev/v1alpha1',
    kind: 'ProxyConfig',
    workload,
    inbound: { address: '127.0.0.1', port: 0 },
    application: { port: applicationPort },
    outbound: extra.httpProxy === false ? {} : { httpProxyPort: 0 },
    admin: { port: 0 },
    tls,
    ...(extra.stateDir === undefined ? {} : { stateDir: extra.stateDir }),
    ...extra.sections,
  });
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'weft-proxy-test-'));
}

/** Starts a proxy and applies its snapshot, if one is given. */
export async function launch(config: ProxyConfig, snapshot?: ProxySnapshot): Promise<RunningProxy> {
  const proxy = await startProxy(config, silent);
  if (snapshot !== undefined) await proxy.store.apply(snapshot);
  return proxy;
}

/** A client that keeps connections alive, as a real service would. */
export const client = new Agent({ keepAliveTimeout: 10_000, connections: 64 });

/** Sends a request to a proxy's HTTP-proxy port, naming the upstream in Host. */
export async function call(
  proxy: RunningProxy,
  host: string,
  path = '/',
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
) {
  const response = await request(`http://127.0.0.1:${proxy.ports.httpProxy}${path}`, {
    dispatcher: client,
    method: (init.method ?? 'GET') as 'GET',
    headers: { host, ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

export function withPort(
  workload: Omit<WorkloadEndpoint, 'port' | 'address'>,
  proxy: RunningProxy,
): WorkloadEndpoint {
  return { ...workload, address: '127.0.0.1', port: proxy.ports.inbound };
}
