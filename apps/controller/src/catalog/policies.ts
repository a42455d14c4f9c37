// TrafficPolicies and AccessPolicies in force, as the console and the CLI show them: the service
// each targets and its settings, durations in milliseconds, callers in words.

import {
  type AccessPolicyResource,
  type AccessSource,
  type LOAD_BALANCERS,
  parseDuration,
  type Resource,
  type TrafficPolicyResource,
} from '@weft/mesh-config';
import { serviceId } from './services.ts';

export const POLICY_KINDS = ['TrafficPolicy', 'AccessPolicy'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

interface PolicyBase {
  readonly namespace: string;
  readonly name: string;
  /** The service it applies to, "namespace/name". */
  readonly target: string;
}

/** How callers treat the target; null where the mesh's default applies. */
export interface TrafficPolicySummary extends PolicyBase {
  readonly kind: 'TrafficPolicy';
  readonly loadBalancer: (typeof LOAD_BALANCERS)[number] | null;
  readonly connectionPool: {
    readonly maxConnections: number | null;
    readonly maxPendingRequests: number | null;
    readonly maxRequests: number | null;
    readonly connectTimeoutMs: number | null;
    readonly idleTimeoutMs: number | null;
  } | null;
  readonly outlierDetection: {
    readonly consecutive5xxErrors: number | null;
    readonly consecutiveGatewayErrors: number | null;
    readonly intervalMs: number | null;
    readonly baseEjectionTimeMs: number | null;
    readonly maxEjectionPercent: number | null;
  } | null;
  readonly rateLimit: { readonly requestsPerSecond: number; readonly burst: number } | null;
}

/** Who may (allow) or may not (deny) call the target, on which paths and methods (null: all). */
export interface AccessPolicySummary extends PolicyBase {
  readonly kind: 'AccessPolicy';
  readonly action: 'allow' | 'deny';
  /** One phrase per source: "service shop/frontend", "namespace shop", "identity spiffe://…". */
  readonly from: string[];
  readonly paths: string[] | null;
  readonly methods: string[] | null;
}

export type PolicySummary = TrafficPolicySummary | AccessPolicySummary;

export interface PolicyFilter {
  readonly kind?: PolicyKind | undefined;
  /** Only policies targeting this service, "namespace/name". */
  readonly service?: string | undefined;
}

/** Every policy in force that passes the filter, by kind, namespace and name. */
export function policySummaries(
  resources: readonly Resource[],
  filter: PolicyFilter = {},
): PolicySummary[] {
  return resources
    .flatMap((r): PolicySummary[] =>
      r.kind === 'TrafficPolicy'
        ? [trafficPolicySummary(r)]
        : r.kind === 'AccessPolicy'
          ? [accessPolicySummary(r)]
          : [],
    )
    .filter((p) => filter.kind === undefined || p.kind === filter.kind)
    .filter((p) => filter.service === undefined || p.target === filter.service)
    .sort((a, b) =>
      `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`),
    );
}

export function trafficPolicySummary(policy: TrafficPolicyResource): TrafficPolicySummary {
  const { connectionPool: pool, outlierDetection: outlier, rateLimit } = policy.spec;
  return {
    kind: 'TrafficPolicy',
    ...base(policy),
    loadBalancer: policy.spec.loadBalancer?.type ?? null,
    connectionPool:
      pool === undefined
        ? null
        : {
            maxConnections: pool.maxConnections ?? null,
            maxPendingRequests: pool.maxPendingRequests ?? null,
            maxRequests: pool.maxRequests ?? null,
            connectTimeoutMs: ms(pool.connectTimeout),
            idleTimeoutMs: ms(pool.idleTimeout),
          },
    outlierDetection:
      outlier === undefined
        ? null
        : {
            consecutive5xxErrors: outlier.consecutive5xxErrors ?? null,
            consecutiveGatewayErrors: outlier.consecutiveGatewayErrors ?? null,
            intervalMs: ms(outlier.interval),
            baseEjectionTimeMs: ms(outlier.baseEjectionTime),
            maxEjectionPercent: outlier.maxEjectionPercent ?? null,
          },
    // The burst defaults to the rate, as the compiler sends it to the proxies.
    rateLimit:
      rateLimit === undefined
        ? null
        : {
            requestsPerSecond: rateLimit.requestsPerSecond,
            burst: rateLimit.burst ?? rateLimit.requestsPerSecond,
          },
  };
}

export function accessPolicySummary(policy: AccessPolicyResource): AccessPolicySummary {
  return {
    kind: 'AccessPolicy',
    ...base(policy),
    action: policy.spec.action,
    from: policy.spec.from.map((source) => sourcePhrase(source, policy.metadata.namespace)),
    paths: policy.spec.paths ?? null,
    methods: policy.spec.methods ?? null,
  };
}

function base(policy: TrafficPolicyResource | AccessPolicyResource): PolicyBase {
  const { namespace, name } = policy.metadata;
  const ref = policy.spec.targetRef;
  return { namespace, name, target: serviceId(ref.namespace ?? namespace, ref.name) };
}

function sourcePhrase(source: AccessSource, namespace: string): string {
  if ('identity' in source) return `identity ${source.identity}`;
  if ('service' in source)
    return `service ${serviceId(source.namespace ?? namespace, source.service)}`;
  return `namespace ${source.namespace}`;
}

const ms = (text: string | undefined): number | null =>
  text === undefined ? null : (parseDuration(text) ?? null);
