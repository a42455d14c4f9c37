// The compiler: resources + registered workloads -> one immutable, hashed snapshot per proxy.

import { MeshConfigError } from '../config-error.ts';
import { validatedDurationMs } from '../duration.ts';
import type { LoadedResource } from '../load/load.ts';
import type {
  AccessPolicyResource,
  HTTPRouteResource,
  Resource,
  ServiceResource,
  TrafficPolicyResource,
} from '../resources/index.ts';
import { API_VERSION } from '../resources/meta.ts';
import { validateResourceSet } from '../validate/index.ts';
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
import { type ClusterDemand, compileRouteEntries } from './route-entries.ts';
import {
  type ProxySnapshot,
  SNAPSHOT_KIND,
  type SnapshotCluster,
  type SnapshotUpstream,
} from './snapshot.ts';
import { spiffeId, type WorkloadEndpoint } from './workload.ts';

export interface CompileInput {
  readonly resources: readonly Resource[];
  readonly workloads: readonly WorkloadEndpoint[];
  /** Stamped on every snapshot, e.g. "r12" for revision 12. */
  readonly version: string;
  /** Revoked certificate serials, sent to every proxy. */
  readonly revokedSerials?: readonly string[];
  /** The trust bundle (PEM), sent to every proxy; omitted when proxies keep their own. */
  readonly trustBundle?: string;
}

/**
 * Compiles a snapshot for every workload. Throws MeshConfigError when the resources do not
 * validate or a workload belongs to no Service: nothing is published from a broken set.
 */
export function compileSnapshots(input: CompileInput): Map<string, ProxySnapshot> {
  const loaded: LoadedResource[] = input.resources.map((resource) => ({ resource }));
  const issues = validateResourceSet(loaded);
  if (issues.length > 0) throw new MeshConfigError(issues);

  const mesh = input.resources.find((r) => r.kind === 'Mesh');
  const trustDomain = mesh?.spec.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const services = new Map<string, ServiceResource>();
  const routesByService = new Map<string, HTTPRouteResource[]>();
  const accessByService = new Map<string, AccessPolicyResource[]>();
  const policies = new Map<string, TrafficPolicyResource>();
  const context: ClusterContext = { trustDomain, services, policies, endpoints: input.workloads };
  for (const resource of input.resources) {
    const ns = resource.metadata.namespace;
    if (resource.kind === 'Service') services.set(serviceKey(ns, resource.metadata.name), resource);
    if (resource.kind === 'TrafficPolicy')
      policies.set(refKey(resource.spec.targetRef, ns), resource);
    if (resource.kind === 'AccessPolicy')
      push(accessByService, refKey(resource.spec.targetRef, ns), resource);
    if (resource.kind === 'HTTPRoute')
      for (const parent of resource.spec.parentRefs)
        push(routesByService, refKey(parent, ns), resource);
  }

  const snapshots = new Map<string, ProxySnapshot>();
  for (const workload of input.workloads) {
    const key = serviceKey(workload.namespace, workload.service);
    const service = services.get(key);
    if (service === undefined) {
      throw new MeshConfigError([
        {
          path: '',
          resource: `workload/${workload.id}`,
          message: `belongs to Service "${key}", which is not defined`,
        },
      ]);
    }
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
        return {
          service: target,
          hostnames: hostnamesOf(target, routesByService.get(target) ?? [], `${name}.${ns}`),
          ...(upstream.localPort === undefined ? {} : { localPort: upstream.localPort }),
          routes: compileRouteEntries(
            target,
            routesByService.get(target) ?? [],
            mesh?.spec.defaults,
            demand,
          ),
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
          policies: compileAccessPolicies(accessByService.get(key) ?? [], trustDomain),
        },
      },
      upstreams,
      clusters: [...clusters.values()].sort((a, b) => a.name.localeCompare(b.name)),
      revokedSerials: [...(input.revokedSerials ?? [])].sort(),
      trustBundle: input.trustBundle ?? '',
    };
    const snapshot: ProxySnapshot = { ...body, version: input.version, hash: contentHash(body) };
    const problems = checkSnapshotConsistency(snapshot);
    if (problems.length > 0) {
      throw new MeshConfigError(
        problems.map((message) => ({ path: '', resource: `workload/${workload.id}`, message })),
      );
    }
    snapshots.set(workload.id, deepFreeze(snapshot));
  }
  return snapshots;
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

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
