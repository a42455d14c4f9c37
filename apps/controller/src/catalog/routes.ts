// HTTPRoutes as the console shows them: each rule's matches in words, its backends, timeout
// and retries, and which rule is the canary split the weight slider edits.

import {
  type HTTPRouteResource,
  parseDuration,
  type Resource,
  type RouteMatch,
  type RouteRule,
} from '@weft/mesh-config';
import { serviceId } from './services.ts';

export interface RouteBackendSummary {
  /** "namespace/name" */
  readonly service: string;
  readonly version: string | null;
  readonly weight: number;
}

export interface RouteRuleSummary {
  readonly index: number;
  readonly name: string | null;
  /** One string per match (conditions joined by " and "); a rule without matches takes every request, "PathPrefix /". */
  readonly matches: string[];
  readonly backends: RouteBackendSummary[];
  /** The rule's own request timeout; null: the mesh default applies. */
  readonly timeoutMs: number | null;
  /** The rule's own retry attempts; null: the mesh default applies. */
  readonly retryAttempts: number | null;
}

export interface RouteSummary {
  readonly namespace: string;
  readonly name: string;
  /** Its (first) parent service, "namespace/name". */
  readonly service: string;
  /** Every parent, for routes attached to several services. */
  readonly parents: string[];
  readonly rules: RouteRuleSummary[];
  /** The first rule splitting between two or more versions of one service; null if none does. */
  readonly splitRuleIndex: number | null;
}

export function routeSummaries(resources: readonly Resource[]): RouteSummary[] {
  return resources
    .filter((r): r is HTTPRouteResource => r.kind === 'HTTPRoute')
    .map(routeSummary)
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

export function routeSummary(route: HTTPRouteResource): RouteSummary {
  const ns = route.metadata.namespace;
  const parents = route.spec.parentRefs.map((ref) => serviceId(ref.namespace ?? ns, ref.name));
  const rules = route.spec.rules.map((rule, index) => ruleSummary(rule, index, ns));
  const split = rules.find((rule) => isSplit(rule.backends));
  return {
    namespace: ns,
    name: route.metadata.name,
    service: parents[0] ?? '',
    parents,
    rules,
    splitRuleIndex: split?.index ?? null,
  };
}

function ruleSummary(rule: RouteRule, index: number, ns: string): RouteRuleSummary {
  const timeout = rule.timeouts?.request;
  return {
    index,
    name: rule.name ?? null,
    matches: rule.matches?.length ? rule.matches.map(matchSummary) : ['PathPrefix /'],
    backends: rule.backendRefs.map((b) => ({
      service: serviceId(b.namespace ?? ns, b.name),
      version: b.version ?? null,
      weight: b.weight,
    })),
    timeoutMs: timeout === undefined ? null : (parseDuration(timeout) ?? null),
    retryAttempts: rule.retry?.attempts ?? null,
  };
}

/** "PathPrefix /api and method GET and header x-canary=always and query debug~=^1$" */
export function matchSummary(match: RouteMatch): string {
  const parts: string[] = [];
  if (match.path !== undefined) parts.push(`${match.path.type} ${match.path.value}`);
  if (match.method !== undefined) parts.push(`method ${match.method}`);
  for (const header of match.headers ?? []) parts.push(`header ${condition(header)}`);
  for (const param of match.queryParams ?? []) parts.push(`query ${condition(param)}`);
  return parts.length === 0 ? 'PathPrefix /' : parts.join(' and ');
}

function condition(match: { name: string; type: 'Exact' | 'RegularExpression'; value: string }) {
  return `${match.name}${match.type === 'Exact' ? '=' : '~='}${match.value}`;
}

/** Backends that send to two or more distinct versions of one service: a canary split. */
export function isSplit(backends: readonly RouteBackendSummary[]): boolean {
  const versions = new Map<string, Set<string>>();
  for (const b of backends) {
    if (b.version === null) continue;
    const set = versions.get(b.service) ?? new Set<string>();
    set.add(b.version);
    versions.set(b.service, set);
  }
  return [...versions.values()].some((set) => set.size >= 2);
}
