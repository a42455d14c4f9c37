// The service catalog the console lists: each configured Service with what it calls, the routes
// in force for it, its objectives and how many proxies serve it now, per version.

import type {
  AccessPolicyResource,
  HTTPRouteResource,
  Resource,
  ServiceRef,
  ServiceResource,
  TrafficPolicyResource,
} from '@weft/mesh-config';
import type { ProxyRecord } from '../repositories/proxies.ts';
import { type Objective, objectiveOf } from './objectives.ts';

/** The key proxies carry when they registered without a version. */
export const NO_VERSION = '';

export interface ServiceSummary {
  /** "namespace/name" */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly ports: number[];
  readonly versions: string[];
  /** The services it calls, "namespace/name". */
  readonly upstreams: string[];
  /** HTTPRoutes whose parentRefs name it: the name, or "namespace/name" from another namespace. */
  readonly routes: string[];
  readonly routeRefs: { namespace: string; name: string }[];
  readonly objectives: Objective | null;
  /** Proxies registered for it and heard from lately (the ones that receive traffic). */
  readonly instances: number;
  /** The same, per version ("" for proxies registered without one). */
  readonly instancesByVersion: Record<string, number>;
}

export interface ServiceDetail extends ServiceSummary {
  readonly routeResources: HTTPRouteResource[];
  readonly trafficPolicy: TrafficPolicyResource | null;
  readonly accessPolicies: AccessPolicyResource[];
  /** Every registered proxy of the service, live or not. */
  readonly proxies: ProxyView[];
}

/** A registered proxy as the API shows it: times as epoch ms. */
export interface ProxyView {
  readonly id: string;
  readonly version: string | null;
  readonly labels: Record<string, string>;
  readonly address: string;
  readonly port: number;
  readonly syncState: ProxyRecord['syncState'];
  readonly sentVersion: string | null;
  readonly ackedVersion: string | null;
  readonly ackedAt: number | null;
  readonly nackError: string | null;
  readonly lastHeartbeatAt: number;
  /** Heard from lately: it is in the other proxies' endpoints. */
  readonly live: boolean;
  readonly certificateSerial: string | null;
}

export const serviceId = (namespace: string, name: string) => `${namespace}/${name}`;
const refId = (ref: ServiceRef, namespace: string) =>
  serviceId(ref.namespace ?? namespace, ref.name);

/** Every configured Service, by id. `liveSince`: proxies heard from since then count as instances. */
export function serviceSummaries(
  resources: readonly Resource[],
  proxies: readonly ProxyRecord[],
  liveSince: Date,
): ServiceSummary[] {
  const catalog = new Catalog(resources, proxies, liveSince);
  return catalog.services.map((service) => catalog.summary(service));
}

export function serviceDetail(
  resources: readonly Resource[],
  proxies: readonly ProxyRecord[],
  liveSince: Date,
  id: string,
): ServiceDetail | undefined {
  const catalog = new Catalog(resources, proxies, liveSince);
  const service = catalog.services.find((s) => idOf(s) === id);
  if (service === undefined) return undefined;
  const own = (ref: ServiceRef, r: Resource) => refId(ref, r.metadata.namespace) === id;
  return {
    ...catalog.summary(service),
    routeResources: catalog.routesOf(id),
    trafficPolicy:
      resources.find(
        (r): r is TrafficPolicyResource => r.kind === 'TrafficPolicy' && own(r.spec.targetRef, r),
      ) ?? null,
    accessPolicies: resources.filter(
      (r): r is AccessPolicyResource => r.kind === 'AccessPolicy' && own(r.spec.targetRef, r),
    ),
    proxies: catalog.proxiesOf(id).map((p) => ({
      id: p.id,
      version: p.version ?? null,
      labels: { ...(p.labels ?? {}) },
      address: p.address,
      port: p.port,
      syncState: p.syncState,
      sentVersion: p.sentVersion,
      ackedVersion: p.ackedVersion,
      ackedAt: p.ackedAt?.getTime() ?? null,
      nackError: p.nackError,
      lastHeartbeatAt: p.lastHeartbeatAt.getTime(),
      live: p.lastHeartbeatAt.getTime() >= liveSince.getTime(),
      certificateSerial: p.certificateSerial,
    })),
  };
}

const idOf = (service: ServiceResource) =>
  serviceId(service.metadata.namespace, service.metadata.name);

/** Lookups over one resource set and registry, built once per request. */
class Catalog {
  readonly services: ServiceResource[];
  private readonly routes = new Map<string, HTTPRouteResource[]>();
  private readonly proxies = new Map<string, ProxyRecord[]>();

  constructor(
    resources: readonly Resource[],
    proxies: readonly ProxyRecord[],
    private readonly liveSince: Date,
  ) {
    this.services = resources
      .filter((r): r is ServiceResource => r.kind === 'Service')
      .sort((a, b) => idOf(a).localeCompare(idOf(b)));
    for (const r of resources) {
      if (r.kind !== 'HTTPRoute') continue;
      const parents = new Set(r.spec.parentRefs.map((ref) => refId(ref, r.metadata.namespace)));
      for (const parent of parents) push(this.routes, parent, r);
    }
    for (const p of proxies) push(this.proxies, serviceId(p.namespace, p.service), p);
  }

  routesOf(id: string): HTTPRouteResource[] {
    return this.routes.get(id) ?? [];
  }

  proxiesOf(id: string): ProxyRecord[] {
    return this.proxies.get(id) ?? [];
  }

  summary(service: ServiceResource): ServiceSummary {
    const { namespace, name } = service.metadata;
    const id = serviceId(namespace, name);
    const live = this.proxiesOf(id).filter(
      (p) => p.lastHeartbeatAt.getTime() >= this.liveSince.getTime(),
    );
    const instancesByVersion: Record<string, number> = {};
    for (const p of live) {
      const version = p.version ?? NO_VERSION;
      instancesByVersion[version] = (instancesByVersion[version] ?? 0) + 1;
    }
    const routes = this.routesOf(id);
    return {
      id,
      namespace,
      name,
      ports: service.spec.ports.map((p) => p.port),
      versions: service.spec.versions.map((v) => v.name),
      upstreams: service.spec.upstreams.map((u) => refId(u.service, namespace)),
      routes: routes.map((r) =>
        r.metadata.namespace === namespace
          ? r.metadata.name
          : serviceId(r.metadata.namespace, r.metadata.name),
      ),
      routeRefs: routes.map((r) => ({ namespace: r.metadata.namespace, name: r.metadata.name })),
      objectives: objectiveOf(service),
      instances: live.length,
      instancesByVersion,
    };
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
