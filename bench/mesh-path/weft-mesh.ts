// The Weft side's configuration: the mesh YAML (a client calling a server through a route),
// compiled to each proxy's snapshot, and each proxy's own config file, as standalone mode
// reads them.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileSnapshots, formatIssue, loadMeshConfig } from '@weft/mesh-config';
import { NAMESPACE, type SidecarFiles } from './certificates.ts';
import { LOOPBACK } from './free-ports.ts';

/** The port the server's Service declares; the proxies never listen on it. */
const SERVICE_PORT = 8080;
const SNAPSHOT_VERSION = 'bench';
/** Nothing calls the client's own service, so its proxy's application port is never used. */
const UNUSED_APPLICATION_PORT = 1;
/** With all telemetry on, every request is traced and logged: the upper bound of what it costs. */
const TELEMETRY_SAMPLE_RATIO = 1;

export interface WeftPorts {
  /** Where the client calls the server through proxy A (Service.spec.upstreams[].localPort). */
  readonly localUpstream: number;
  readonly inboundA: number;
  readonly adminA: number;
  readonly inboundB: number;
  readonly adminB: number;
  readonly application: number;
}

/**
 * What the sidecars record per request: nothing (request telemetry off), what they record as
 * shipped (metrics and the traffic window; no collector, no log), that plus tracing to a
 * collector at the default sample ratio, or everything, every request traced and logged.
 */
export type WeftTelemetry =
  | { readonly mode: 'none' }
  | { readonly mode: 'default' }
  | { readonly mode: 'traced'; readonly otlpEndpoint: string }
  | {
      readonly mode: 'all';
      readonly otlpEndpoint: string;
      /** A file, or /dev/null to count the writes without filling a disk. */
      readonly accessLogPath: string;
    };

export interface WeftConfigFiles {
  readonly proxyA: string;
  readonly proxyB: string;
}

function meshYaml(trustDomain: string, localUpstream: number): string {
  return `
apiVersion: weft.dev/v1alpha1
kind: Mesh
metadata: { name: default }
spec:
  trustDomain: ${trustDomain}
  mtls: { mode: STRICT }
  access: { defaultAction: allow }
---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: client, namespace: ${NAMESPACE} }
spec:
  ports: [{ port: ${SERVICE_PORT} }]
  upstreams: [{ service: { name: server }, localPort: ${localUpstream} }]
---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: server, namespace: ${NAMESPACE} }
spec:
  ports: [{ port: ${SERVICE_PORT} }]
  versions: [{ name: v1 }]
---
# Route matching as in production; timeout and retry come from the mesh defaults.
apiVersion: weft.dev/v1alpha1
kind: HTTPRoute
metadata: { name: server, namespace: ${NAMESPACE} }
spec:
  parentRefs: [{ name: server }]
  rules:
    - matches: [{ path: { type: PathPrefix, value: / } }]
      backendRefs: [{ name: server, version: v1 }]
`;
}

/** Compiles the snapshots and writes them with each proxy's config file into dir. */
export async function writeWeftConfig(
  dir: string,
  trustDomain: string,
  ports: WeftPorts,
  certs: { client: SidecarFiles; server: SidecarFiles },
  telemetry: WeftTelemetry,
): Promise<WeftConfigFiles> {
  const { resources, issues } = loadMeshConfig([
    { file: 'mesh-path.yaml', text: meshYaml(trustDomain, ports.localUpstream) },
  ]);
  if (issues.length > 0) throw new Error(issues.map(formatIssue).join('\n'));
  const snapshots = compileSnapshots({
    resources: resources.map((loaded) => loaded.resource),
    workloads: [
      {
        id: 'client-1',
        service: 'client',
        namespace: NAMESPACE,
        address: LOOPBACK,
        port: ports.inboundA,
      },
      {
        id: 'server-1',
        service: 'server',
        namespace: NAMESPACE,
        version: 'v1',
        address: LOOPBACK,
        port: ports.inboundB,
      },
    ],
    version: SNAPSHOT_VERSION,
  });
  const observability = observabilitySections(telemetry);
  // Each variant its own files: the previous path's proxies may still be reading theirs.
  const prefix = `telemetry-${telemetry.mode}-`;
  const proxyA = await writeProxy(dir, `${prefix}proxy-a`, snapshots.get('client-1'), {
    workload: { id: 'client-1', service: 'client', namespace: NAMESPACE },
    inbound: { address: LOOPBACK, port: ports.inboundA },
    application: { address: LOOPBACK, port: UNUSED_APPLICATION_PORT },
    outbound: { address: LOOPBACK },
    admin: { address: LOOPBACK, port: ports.adminA },
    tls: certs.client,
    ...observability,
  });
  const proxyB = await writeProxy(dir, `${prefix}proxy-b`, snapshots.get('server-1'), {
    workload: { id: 'server-1', service: 'server', namespace: NAMESPACE, version: 'v1' },
    inbound: { address: LOOPBACK, port: ports.inboundB },
    application: { address: LOOPBACK, port: ports.application },
    outbound: { address: LOOPBACK },
    admin: { address: LOOPBACK, port: ports.adminB },
    tls: certs.server,
    ...observability,
  });
  return { proxyA, proxyB };
}

function observabilitySections(telemetry: WeftTelemetry): Record<string, unknown> {
  switch (telemetry.mode) {
    case 'none':
      return { requestTelemetry: { enabled: false } };
    case 'default':
      return {};
    case 'traced':
      return { tracing: { otlpEndpoint: telemetry.otlpEndpoint } };
    case 'all':
      return {
        tracing: { otlpEndpoint: telemetry.otlpEndpoint, sampleRatio: TELEMETRY_SAMPLE_RATIO },
        accessLog: { enabled: true, path: telemetry.accessLogPath },
      };
  }
}

async function writeProxy(
  dir: string,
  name: string,
  snapshot: unknown,
  config: Record<string, unknown>,
): Promise<string> {
  if (snapshot === undefined) throw new Error(`no snapshot compiled for ${name}`);
  const snapshotFile = join(dir, `${name}-snapshot.json`);
  const configFile = join(dir, `${name}.yaml`);
  await writeFile(snapshotFile, JSON.stringify(snapshot, null, 2));
  // JSON is YAML, and the proxy validates the file against its schema when it starts.
  await writeFile(
    configFile,
    JSON.stringify(
      { apiVersion: 'weft.dev/v1alpha1', kind: 'ProxyConfig', ...config, snapshotFile },
      null,
      2,
    ),
  );
  return configFile;
}
