// Compiles the HTTPRoutes of one destination into match entries, sorted by Gateway API precedence.

import { validatedDurationMs as ms } from '../duration.ts';
import type {
  HTTPRouteResource,
  MeshResource,
  RetrySettings,
  RouteMatch,
  RouteRule,
} from '../resources/index.ts';
import { refKey } from '../validate/resource-index.ts';
import {
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_MAX_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_ATTEMPTS,
  DEFAULT_RETRY_BUDGET_PERCENT,
  DEFAULT_RETRY_ON,
} from './defaults.ts';
import type { SnapshotMatch, SnapshotRetry, SnapshotRouteEntry } from './snapshot.ts';

export interface ClusterDemand {
  readonly service: string;
  readonly version?: string;
}

interface RankedEntry {
  readonly entry: SnapshotRouteEntry;
  readonly order: number;
}

type MeshDefaults = NonNullable<MeshResource['spec']['defaults']>;

export function compileRouteEntries(
  service: string,
  routes: readonly HTTPRouteResource[],
  defaults: MeshDefaults | undefined,
  demand: (cluster: ClusterDemand) => string,
): SnapshotRouteEntry[] {
  if (routes.length === 0) {
    return [
      {
        source: `default route to ${service}`,
        match: { headers: [], queryParams: [] },
        backends: [{ cluster: demand({ service }), weight: 1 }],
        timeoutMs: requestTimeoutMs(undefined, defaults),
        retry: compileRetry(undefined, defaults),
      },
    ];
  }
  const ranked: RankedEntry[] = [];
  for (const route of [...routes].sort(byNamespacedName)) {
    const ns = route.metadata.namespace;
    route.spec.rules.forEach((rule, r) => {
      const source = `HTTPRoute/${ns}/${route.metadata.name} rules[${r}]`;
      const action = compileAction(rule, ns, defaults, demand);
      const matches: (RouteMatch | undefined)[] = rule.matches?.length ? rule.matches : [undefined];
      for (const match of matches) {
        ranked.push({
          entry: { source, match: compileMatch(match), ...action },
          order: ranked.length,
        });
      }
    });
  }
  return ranked.sort(byPrecedence).map((r) => r.entry);
}

function compileAction(
  rule: RouteRule,
  ns: string,
  defaults: MeshDefaults | undefined,
  demand: (cluster: ClusterDemand) => string,
): Omit<SnapshotRouteEntry, 'source' | 'match'> {
  const backends = rule.backendRefs.map((b) => ({
    cluster: demand({
      service: refKey(b, ns),
      ...(b.version === undefined ? {} : { version: b.version }),
    }),
    weight: b.weight,
  }));
  const action: Omit<SnapshotRouteEntry, 'source' | 'match'> = {
    backends,
    timeoutMs: requestTimeoutMs(rule.timeouts?.request, defaults),
    retry: compileRetry(rule, defaults),
  };
  if (rule.fault !== undefined) {
    const { delay, abort } = rule.fault;
    action.fault = {
      ...(delay && { delay: { delayMs: ms(delay.fixedDelay), percent: delay.percent } }),
      ...(abort && { abort: { httpStatus: abort.httpStatus, percent: abort.percent } }),
    };
  }
  for (const filter of rule.filters ?? []) {
    if (filter.type === 'RequestMirror') {
      const ref = filter.requestMirror.backendRef;
      action.mirror = {
        cluster: demand({
          service: refKey(ref, ns),
          ...(ref.version === undefined ? {} : { version: ref.version }),
        }),
        percent: filter.requestMirror.percent,
      };
    } else if (filter.type === 'RequestHeaderModifier') {
      action.requestHeaders = compileHeaderModifier(filter.requestHeaderModifier);
    } else {
      action.responseHeaders = compileHeaderModifier(filter.responseHeaderModifier);
    }
  }
  return action;
}

function compileMatch(match: RouteMatch | undefined): SnapshotMatch {
  return {
    ...(match?.path && { path: { type: match.path.type, value: match.path.value } }),
    ...(match?.method && { method: match.method }),
    headers: (match?.headers ?? []).map((h) => ({
      name: h.name.toLowerCase(),
      type: h.type,
      value: h.value,
    })),
    queryParams: (match?.queryParams ?? []).map((q) => ({
      name: q.name,
      type: q.type,
      value: q.value,
    })),
  };
}

function compileRetry(
  rule: RouteRule | undefined,
  defaults: MeshDefaults | undefined,
): SnapshotRetry {
  const retry: Partial<RetrySettings> = { ...defaults?.retry, ...rule?.retry };
  const perTry = retry.perTryTimeout ?? rule?.timeouts?.backendRequest;
  return {
    attempts: retry.attempts ?? DEFAULT_RETRY_ATTEMPTS,
    ...(perTry === undefined ? {} : { perTryTimeoutMs: ms(perTry) }),
    retryOn: retry.retryOn ?? DEFAULT_RETRY_ON,
    backoffBaseMs: retry.backoff ? ms(retry.backoff.base) : DEFAULT_BACKOFF_BASE_MS,
    backoffMaxMs: retry.backoff ? ms(retry.backoff.max) : DEFAULT_BACKOFF_MAX_MS,
    budgetPercent: retry.budgetPercent ?? DEFAULT_RETRY_BUDGET_PERCENT,
    retryNonIdempotent: retry.retryNonIdempotent ?? false,
  };
}

function requestTimeoutMs(timeout: string | undefined, defaults: MeshDefaults | undefined): number {
  const text = timeout ?? defaults?.timeout;
  return text === undefined ? DEFAULT_REQUEST_TIMEOUT_MS : ms(text);
}

function compileHeaderModifier(modifier: {
  set?: { name: string; value: string }[] | undefined;
  add?: { name: string; value: string }[] | undefined;
  remove?: string[] | undefined;
}) {
  const lower = (h: { name: string; value: string }) => ({
    name: h.name.toLowerCase(),
    value: h.value,
  });
  return {
    set: (modifier.set ?? []).map(lower),
    add: (modifier.add ?? []).map(lower),
    remove: (modifier.remove ?? []).map((name) => name.toLowerCase()),
  };
}

/** Gateway API order: exact path, longest prefix, method, most headers, most query params, then written order. */
function byPrecedence(a: RankedEntry, b: RankedEntry): number {
  const ma = a.entry.match;
  const mb = b.entry.match;
  return (
    Number(mb.path?.type === 'Exact') - Number(ma.path?.type === 'Exact') ||
    (mb.path?.value.length ?? 1) - (ma.path?.value.length ?? 1) ||
    Number(mb.method !== undefined) - Number(ma.method !== undefined) ||
    mb.headers.length - ma.headers.length ||
    mb.queryParams.length - ma.queryParams.length ||
    a.order - b.order
  );
}

function byNamespacedName(a: HTTPRouteResource, b: HTTPRouteResource): number {
  return `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
    `${b.metadata.namespace}/${b.metadata.name}`,
  );
}
