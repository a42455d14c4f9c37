// Shared by the end-to-end tests: free ports, polling, and the small two-service mesh.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const ROOT = join(import.meta.dirname, '../../..');
export const PROXY_BIN = join(ROOT, 'apps/proxy/bin/weft-proxy.js');
const WAIT_MS = 30_000;

export async function freePort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  probeDetail?: () => Promise<unknown>,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `timed out waiting for ${what}: ${JSON.stringify(await probeDetail?.().catch(() => undefined))}`,
  );
}

export const MESH = (localPort: number, v1: number, v2: number) => `
apiVersion: weft.dev/v1alpha1
kind: Mesh
metadata: { name: default }
spec:
  trustDomain: weft.local
  access: { defaultAction: allow }
---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: client, namespace: shop }
spec:
  ports: [{ port: 8080 }]
  upstreams: [{ service: { name: server }, localPort: ${localPort} }]
---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: server, namespace: shop }
spec:
  ports: [{ port: 8080 }]
  versions: [{ name: v1 }, { name: v2 }]
---
apiVersion: weft.dev/v1alpha1
kind: HTTPRoute
metadata: { name: server, namespace: shop }
spec:
  parentRefs: [{ name: server }]
  rules:
    - backendRefs:
        - { name: server, version: v1, weight: ${v1} }
        - { name: server, version: v2, weight: ${v2} }
`;

/** Writes a controller-mode ProxyConfig and starts `weft-proxy` on it, as its own process. */
export async function startProxyProcess(params: {
  dir: string;
  proxyApiUrl: string;
  trustBundleFile: string;
  id: string;
  service: string;
  version?: string;
  appPort: number;
  token: string;
  inboundPort?: number;
}): Promise<{ child: ChildProcess; admin: number; inbound: number }> {
  const admin = await freePort();
  const inbound = params.inboundPort ?? (await freePort());
  const config = join(params.dir, `${params.id}.yaml`);
  await writeFile(
    config,
    stringify({
      apiVersion: 'weft.dev/v1alpha1',
      kind: 'ProxyConfig',
      workload: {
        id: params.id,
        service: params.service,
        namespace: 'shop',
        ...(params.version === undefined ? {} : { version: params.version }),
      },
      inbound: { address: '127.0.0.1', port: inbound },
      application: { port: params.appPort },
      admin: { port: admin },
      tls: {
        certFile: `${params.id}.pem`,
        keyFile: `${params.id}-key.pem`,
        trustBundleFile: `${params.id}-ca.pem`,
      },
      controller: {
        url: params.proxyApiUrl,
        trustBundleFile: params.trustBundleFile,
        telemetryIntervalMs: 300,
      },
    }),
  );
  const child = spawn(process.execPath, [PROXY_BIN, '--config', config, '--log-level', 'warn'], {
    env: { ...process.env, WEFT_JOIN_TOKEN: params.token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, admin, inbound };
}

/** A plain HTTP service that answers with its name. */
export async function startNamedService(name: string): Promise<Server> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/plain' }).end(name),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Stops proxy processes (waiting for them), then services, then the controller. */
export async function stopEverything(
  proxies: readonly ChildProcess[],
  services: readonly Server[],
  controller: { close(): Promise<void> } | undefined,
): Promise<void> {
  for (const child of proxies) child.kill('SIGTERM');
  await Promise.all(
    proxies.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)),
  );
  for (const server of services) server.close();
  await controller?.close();
}
