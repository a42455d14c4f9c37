// The compiler's inputs indexed by key, with every read recorded. The keys one snapshot read are
// exactly what it depends on: the single source of truth for which proxies a change affects.
//
//   key                  value                                            read by
//   mesh                 the Mesh resource                                every snapshot
//   service:<ns/name>    the Service resource                             its own proxies; callers
//                                                                         with a cluster of it
//   routes:<ns/name>     HTTPRoutes whose parentRefs name the service     proxies calling it
//   traffic-policy:<id>  the TrafficPolicy targeting the service          proxies with a cluster of it
//   access-policies:<id> AccessPolicies targeting the service             its own proxies (inbound)
//   endpoints:<ns/name>  the service's registered workloads               proxies with a cluster of it
//   workload:<id>        one registered workload                          that workload's proxy
//   revoked-serials      revoked certificate serials                      every snapshot
//   trust-bundle         the trust bundle                                 every snapshot

import type {
  AccessPolicyResource,
  HTTPRouteResource,
  MeshResource,
  Resource,
  ServiceResource,
  TrafficPolicyResource,
} from '../resources/index.ts';
import { resourceKey } from '../resources/index.ts';
import { refKey, serviceKey } from '../validate/resource-index.ts';
import { contentHash } from './hash.ts';
import type { WorkloadEndpoint } from './workload.ts';

export type InputKey = string;

export const inputKey = {
  mesh: 'mesh',
  revokedSerials: 'revoked-serials',
  trustBundle: 'trust-bundle',
  service: (id: string): InputKey => `service:${id}`,
  routes: (id: string): InputKey => `routes:${id}`,
  trafficPolicy: (id: string): InputKey => `traffic-policy:${id}`,
  accessPolicies: (id: string): InputKey => `access-policies:${id}`,
  endpoints: (id: string): InputKey => `endpoints:${id}`,
  workload: (id: string): InputKey => `workload:${id}`,
} as const;

export interface CompileInput {
  readonly resources: readonly Resource[];
  readonly workloads: readonly WorkloadEndpoint[];
  /** Stamped on every snapshot compiled, e.g. "r12.3" for revision 12; not an input to the content. */
  readonly version: string;
  /** Revoked certificate serials, sent to every proxy. */
  readonly revokedSerials?: readonly string[];
  /** The trust bundle (PEM), sent to every proxy; omitted when proxies keep their own. */
  readonly trustBundle?: string;
}

export class CompileInputs {
  readonly workloads: readonly WorkloadEndpoint[];
  /** One fingerprint of the whole resource set, whatever order it came in. */
  readonly resourceSetFingerprint: string;
  private readonly values = new Map<InputKey, unknown>();
  /** Each object hashed once: a resource is part of the set's fingerprint and of its key's. */
  private readonly hashes = new WeakMap<object, string>();
  private fingerprintsCache: Map<InputKey, string> | undefined;

  constructor(sources: CompileInput) {
    // The last of a duplicate id wins, as a Map keyed by id would have it.
    this.workloads = [...new Map(sources.workloads.map((w) => [w.id, w])).values()];
    this.resourceSetFingerprint = contentHash(
      sources.resources.map((r) => `${resourceKey(r)} ${this.hashOf(r)}`).sort(),
    );
    for (const resource of sources.resources) {
      const ns = resource.metadata.namespace;
      if (resource.kind === 'Mesh' && !this.values.has(inputKey.mesh))
        this.values.set(inputKey.mesh, resource);
      if (resource.kind === 'Service')
        this.values.set(inputKey.service(serviceKey(ns, resource.metadata.name)), resource);
      if (resource.kind === 'TrafficPolicy')
        this.values.set(inputKey.trafficPolicy(refKey(resource.spec.targetRef, ns)), resource);
      if (resource.kind === 'AccessPolicy')
        this.append(inputKey.accessPolicies(refKey(resource.spec.targetRef, ns)), resource);
      if (resource.kind === 'HTTPRoute')
        for (const parent of new Set(resource.spec.parentRefs.map((p) => refKey(p, ns))))
          this.append(inputKey.routes(parent), resource);
    }
    for (const workload of this.workloads) {
      this.values.set(inputKey.workload(workload.id), workload);
      this.append(inputKey.endpoints(serviceKey(workload.namespace, workload.service)), workload);
    }
    this.values.set(inputKey.revokedSerials, [...(sources.revokedSerials ?? [])].sort());
    this.values.set(inputKey.trustBundle, sources.trustBundle ?? '');
  }

  /** A fingerprint per key present; a key absent here reads as nothing (undefined or empty). */
  fingerprints(): ReadonlyMap<InputKey, string> {
    if (this.fingerprintsCache === undefined) {
      this.fingerprintsCache = new Map();
      for (const [key, value] of this.values) this.fingerprintsCache.set(key, this.hashOf(value));
    }
    return this.fingerprintsCache;
  }

  /** A list's hash is that of its items' hashes, in the order they came: a reordering costs a needless compile at worst. */
  private hashOf(value: unknown): string {
    if (typeof value !== 'object' || value === null) return contentHash(value);
    let hash = this.hashes.get(value);
    if (hash === undefined) {
      hash = contentHash(Array.isArray(value) ? value.map((item) => this.hashOf(item)) : value);
      this.hashes.set(value, hash);
    }
    return hash;
  }

  private append(key: InputKey, value: unknown): void {
    const list = this.values.get(key) as unknown[] | undefined;
    if (list === undefined) this.values.set(key, [value]);
    else list.push(value);
  }

  /** A reader for compiling one snapshot; its `reads` are that snapshot's dependencies. */
  reader(): InputReader {
    return new InputReader(this.values);
  }
}

/** The keys whose value differs between two fingerprint sets (added and removed keys included). */
export function changedKeys(
  before: ReadonlyMap<InputKey, string>,
  after: ReadonlyMap<InputKey, string>,
): Set<InputKey> {
  const changed = new Set<InputKey>();
  for (const [key, fingerprint] of after) if (before.get(key) !== fingerprint) changed.add(key);
  for (const key of before.keys()) if (!after.has(key)) changed.add(key);
  return changed;
}

/** The only way the compiler sees its inputs: each call records the key it read. */
export class InputReader {
  readonly reads = new Set<InputKey>();

  constructor(private readonly values: ReadonlyMap<InputKey, unknown>) {}

  mesh(): MeshResource | undefined {
    return this.read(inputKey.mesh) as MeshResource | undefined;
  }

  service(id: string): ServiceResource | undefined {
    return this.read(inputKey.service(id)) as ServiceResource | undefined;
  }

  routes(id: string): readonly HTTPRouteResource[] {
    return (this.read(inputKey.routes(id)) as HTTPRouteResource[] | undefined) ?? [];
  }

  trafficPolicy(id: string): TrafficPolicyResource | undefined {
    return this.read(inputKey.trafficPolicy(id)) as TrafficPolicyResource | undefined;
  }

  accessPolicies(id: string): readonly AccessPolicyResource[] {
    return (this.read(inputKey.accessPolicies(id)) as AccessPolicyResource[] | undefined) ?? [];
  }

  endpoints(id: string): readonly WorkloadEndpoint[] {
    return (this.read(inputKey.endpoints(id)) as WorkloadEndpoint[] | undefined) ?? [];
  }

  workload(id: string): WorkloadEndpoint | undefined {
    return this.read(inputKey.workload(id)) as WorkloadEndpoint | undefined;
  }

  revokedSerials(): readonly string[] {
    return this.read(inputKey.revokedSerials) as string[];
  }

  trustBundle(): string {
    return this.read(inputKey.trustBundle) as string;
  }

  private read(key: InputKey): unknown {
    this.reads.add(key);
    return this.values.get(key);
  }
}
