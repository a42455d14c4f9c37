// Every kind of Weft document, and the union the loader validates against.

import { z } from 'zod';
import { accessPolicyResource } from './access-policy.ts';
import { httpRouteResource } from './http-route.ts';
import { meshResource } from './mesh.ts';
import { rolloutResource } from './rollout.ts';
import { serviceResource } from './service.ts';
import { trafficPolicyResource } from './traffic-policy.ts';

export const RESOURCE_SCHEMAS = {
  Mesh: meshResource,
  Service: serviceResource,
  HTTPRoute: httpRouteResource,
  TrafficPolicy: trafficPolicyResource,
  AccessPolicy: accessPolicyResource,
  Rollout: rolloutResource,
} as const;

export type ResourceKind = keyof typeof RESOURCE_SCHEMAS;
export const RESOURCE_KINDS = Object.keys(RESOURCE_SCHEMAS) as ResourceKind[];

export const resourceSchema = z.discriminatedUnion('kind', [
  meshResource,
  serviceResource,
  httpRouteResource,
  trafficPolicyResource,
  accessPolicyResource,
  rolloutResource,
]);
export type Resource = z.infer<typeof resourceSchema>;
export type ResourceOf<K extends ResourceKind> = Extract<Resource, { kind: K }>;

export function isResourceKind(kind: unknown): kind is ResourceKind {
  return typeof kind === 'string' && Object.hasOwn(RESOURCE_SCHEMAS, kind);
}

/** "HTTPRoute/shop/catalog": how errors, diffs and the audit log name a resource. */
export function resourceKey(resource: Pick<Resource, 'kind' | 'metadata'>): string {
  return `${resource.kind}/${resource.metadata.namespace}/${resource.metadata.name}`;
}

export type { AccessPolicyResource, AccessSource } from './access-policy.ts';
export type {
  BackendRef,
  HTTPRouteResource,
  RouteFilter,
  RouteMatch,
  RouteRule,
} from './http-route.ts';
export type { MeshResource } from './mesh.ts';
export { API_VERSION, DEFAULT_NAMESPACE, type ServiceRef } from './meta.ts';
export { RETRY_CONDITIONS, type RetrySettings } from './retry.ts';
export type { RolloutResource, RolloutStep } from './rollout.ts';
export { type ServiceResource, VERSION_LABEL } from './service.ts';
export { LOAD_BALANCERS, type TrafficPolicyResource } from './traffic-policy.ts';
