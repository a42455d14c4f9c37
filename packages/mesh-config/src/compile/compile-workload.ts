// One proxy's snapshot, compiled from what an InputReader gives it: every input it uses is read
// (and so recorded) through the reader, never taken from anywhere else.

import { MeshConfigError } from '../config-error.ts';
import { validatedDurationMs } from '../duration.ts';
import type { HTTPRouteResource } from '../resources/index.ts';
import { API_VERSION } from '../resources/meta.ts';
import { refKey, serviceKey } from '../validate/resource-index.ts';
import { compileAccessPolicies } from './access.ts';
import { clusterName } from './cluster-name.ts';
import { buildCluster, type ClusterContext } from './clusters.ts';
import { checkSnapshotConsistency } from './consistency.ts';
import {
  DEFAULT_ACCESS_ACTION,
  DEFAULT_CERTIFICATE_LIFETIME_MS,
  DEFAULT_MTLS_MODE,
  DEFAULT_ROTATE_AFTER,
  DEFAULT_TRUST_DOMAIN,
} from './defaults.ts';
import { contentHash } from './hash.ts';
import type { InputReader } from './inputs.ts';
import { type ClusterDemand, compileRouteEntries } from './route-entries.ts';
import {
  type ProxySnapshot,
  SNAPSHOT_KIND,
  type SnapshotCluster,
  type SnapshotUpstream,
} from './snapshot.ts';
import { spiffeId } from './workload.ts';

/**
 * Compiles the snapshot of one registered workload, frozen and checked for consistency. Throws
 * MeshConfigError when the workload is unknown to the reader, belongs to no Service, or the
 * result does not stand on its own.
 */
export function compileWorkload(
  workloadId: string,
  inputs: InputReader,
  version: string,
): ProxySnapshot {
  const workload = inputs.workload(workloadId);
  if (workload === undefined) {
    throw new MeshConfigError([
      { path: '', resource: `workload/${workloadId}`, message: 'is not registered' },
    ]);
  }
  const mesh = inputs.mesh();
  const trustDomain = mesh?.spec.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const key = serviceKey(workload.namespace, workload.service);
  const service = inputs.service(key);
  if (service === undefined) {
    throw new MeshConfigError([
      {
        path: '',
        resource: `workload/${workload.id}`,
        message: `belongs to Service "${key}", which is not defined`,
      },
    ]);
  }
  const context: ClusterContext = { trustDomain, inputs };
  const clusters = new Map<string, SnapshotCluster>();
  const demand = (wanted: ClusterDemand) => {
    const name = clusterName(wanted.service, wanted.version);
    if (!clusters.has(name)) clusters.set(name, buildCluster(wanted, context));
    return name;
  };
  const upstreams: SnapshotUpstream[] = service.spec.upstreams
    .map((upstream) => {
      const target = refKey(upstream.service, workload.namespace);
      const [ns, name] = target.split('/');
      const routes = inputs.routes(target);
      return {
        service: target,
        hostnames: hostnamesOf(target, routes, `${name}.${ns}`),
        ...(upstream.localPort === undefined ? {} : { localPort: upstream.localPort }),
        routes: compileRouteEntries(target, routes, mesh?.spec.defaults, demand),
      };
    })
    .sort((a, b) => a.service.localeCompare(b.service));

  const certificates = mesh?.spec.certificates;
  const body: Omit<ProxySnapshot, 'hash' | 'version'> = {
    apiVersion: API_VERSION,
    kind: SNAPSHOT_KIND,
    workload: {
      id: workload.id,
      service: key,
      ...(workload.version === undefined ? {} : { version: workload.version }),
      identity: spiffeId(trustDomain, workload.namespace, workload.service),
    },
    mesh: {
      trustDomain,
      mtlsMode: mesh?.spec.mtls.mode ?? DEFAULT_MTLS_MODE,
      certificateLifetimeMs: certificates?.lifetime
        ? validatedDurationMs(certificates.lifetime)
        : DEFAULT_CERTIFICATE_LIFETIME_MS,
      rotateAfter: certificates?.rotateAfter ?? DEFAULT_ROTATE_AFTER,
    },
    inbound: {
      ports: service.spec.ports.map((p) => p.port),
      access: {
        defaultAction: mesh?.spec.access?.defaultAction ?? DEFAULT_ACCESS_ACTION,
        policies: compileAccessPolicies(inputs.accessPolicies(key), trustDomain),
      },
    },
    upstreams,
    clusters: [...clusters.values()].sort((a, b) => a.name.localeCompare(b.name)),
    revokedSerials: [...inputs.revokedSerials()],
    trustBundle: inputs.trustBundle(),
  };
  const snapshot: ProxySnapshot = { ...body, version, hash: contentHash(body) };
  const problems = checkSnapshotConsistency(snapshot);
  if (problems.length > 0) {
    throw new MeshConfigError(
      problems.map((message) => ({ path: '', resource: `workload/${workload.id}`, message })),
    );
  }
  return deepFreeze(snapshot);
}

/** The names a caller may use in Host on the HTTP-proxy port: short, namespaced, and the routes' own. */
function hostnamesOf(
  service: string,
  routes: readonly HTTPRouteResource[],
  namespaced: string,
): string[] {
  const [, name = ''] = service.split('/');
  const names = new Set([name, namespaced, `${namespaced}.svc`]);
  for (const route of routes)
    for (const hostname of route.spec.hostnames ?? []) names.add(hostname.toLowerCase());
  return [...names].sort();
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
