// Everything a snapshot means at run time, built once per snapshot and then only read: the
// upstreams by local port and host name, each route entry's stack, each cluster's stack.
// A request keeps the runtime it started with, so a swap never changes a request mid-way.

import type { ProxySnapshot, SnapshotRouteEntry, SnapshotUpstream } from '@weft/mesh-config';
import { noHealthyEndpoint } from '../errors.ts';
import { AccessPolicy } from '../inbound/access-policy.ts';
import {
  buildClusterStack,
  type ClusterEvents,
  type ClusterRuntime,
} from '../outbound/concrete/cluster.ts';
import type { EndpointHealth } from '../outbound/concrete/endpoint-health.ts';
import type { EndpointPools } from '../outbound/endpoint/endpoint-pools.ts';
import { RegexCache } from '../outbound/logical/route-match.ts';
import { createBackendPickLayer } from '../stack/backend-pick.ts';
import {
  compose,
  type Dispatch,
  failRequest,
  type Layer,
  type ProxyRequest,
} from '../stack/dispatch.ts';
import { createFaultLayer } from '../stack/fault.ts';
import { createMirrorLayer } from '../stack/mirror.ts';
import { createRetryLayer } from '../stack/retry.ts';
import { RetryBudget } from '../stack/retry-budget.ts';
import { createTimeoutLayer } from '../stack/timeout.ts';

export interface UpstreamRuntime {
  readonly upstream: SnapshotUpstream;
  readonly entries: readonly SnapshotRouteEntry[];
  /** The stack of each entry, by identity of the entry object. */
  readonly stacks: ReadonlyMap<SnapshotRouteEntry, Dispatch>;
}

export interface Runtime {
  readonly snapshot: ProxySnapshot;
  readonly byLocalPort: ReadonlyMap<number, UpstreamRuntime>;
  readonly byHost: ReadonlyMap<string, UpstreamRuntime>;
  readonly clusters: ReadonlyMap<string, ClusterRuntime>;
  readonly regexes: RegexCache;
  readonly access: AccessPolicy;
  /** Certificate serials no peer may present, in either direction. */
  readonly revoked: ReadonlySet<string>;
  /** Each cluster's version label, for telemetry ("" for a whole-service cluster). */
  readonly clusterVersions: ReadonlyMap<string, string>;
}

export interface RuntimeDependencies {
  readonly pools: EndpointPools;
  readonly health: (workload: string, address: string, port: number) => EndpointHealth;
  readonly events: ClusterEvents & { onRetry(request: ProxyRequest, reason: string): void };
}

export function buildRuntime(snapshot: ProxySnapshot, deps: RuntimeDependencies): Runtime {
  const clusters = new Map<string, ClusterRuntime>();
  for (const cluster of snapshot.clusters) {
    clusters.set(cluster.name, buildClusterStack(cluster, deps.pools, deps.health, deps.events));
  }
  const toCluster: Dispatch = (request, handler) => {
    const cluster = clusters.get(request.context.cluster ?? '');
    if (cluster === undefined)
      failRequest(handler, noHealthyEndpoint(request.context.cluster ?? '(none)'));
    else cluster.dispatch(request, handler);
  };

  const byLocalPort = new Map<number, UpstreamRuntime>();
  const byHost = new Map<string, UpstreamRuntime>();
  for (const upstream of snapshot.upstreams) {
    const stacks = new Map<SnapshotRouteEntry, Dispatch>();
    for (const entry of upstream.routes)
      stacks.set(entry, compose(routeLayers(entry, toCluster, deps), toCluster));
    const runtime: UpstreamRuntime = { upstream, entries: upstream.routes, stacks };
    if (upstream.localPort !== undefined) byLocalPort.set(upstream.localPort, runtime);
    for (const host of upstream.hostnames) byHost.set(host, runtime);
  }
  return {
    snapshot,
    byLocalPort,
    byHost,
    clusters,
    regexes: new RegexCache(),
    access: new AccessPolicy(snapshot.inbound.access, snapshot.mesh.mtlsMode),
    revoked: new Set(snapshot.revokedSerials),
    clusterVersions: new Map(snapshot.clusters.map((c) => [c.name, c.version ?? ''])),
  };
}

/**
 * The logical level for one route entry, top to bottom:
 *   backend pick  -> the weighted (canary) choice of cluster, kept across retries
 *   mirror        -> a fire-and-forget copy to the mirror cluster
 *   fault         -> injected delay or abort
 *   timeout       -> the whole request's deadline, retries included
 *   retry         -> idempotent requests, budgeted, with backoff
 *   per-try       -> each attempt's own deadline
 */
function routeLayers(
  entry: SnapshotRouteEntry,
  toCluster: Dispatch,
  deps: RuntimeDependencies,
): Layer[] {
  const layers: Layer[] = [createBackendPickLayer(entry)];
  if (entry.mirror !== undefined) {
    const mirrorCluster = entry.mirror.cluster;
    layers.push(
      createMirrorLayer({
        percent: entry.mirror.percent,
        target: (request, handler) =>
          toCluster(
            { ...request, context: { ...request.context, cluster: mirrorCluster } },
            handler,
          ),
      }),
    );
  }
  if (entry.fault !== undefined) layers.push(createFaultLayer(entry.fault));
  if (entry.timeoutMs > 0)
    layers.push(createTimeoutLayer({ timeoutMs: entry.timeoutMs, scope: 'request' }));
  layers.push(
    createRetryLayer({
      policy: entry.retry,
      budget: new RetryBudget(entry.retry.budgetPercent),
      onRetry: deps.events.onRetry,
    }),
  );
  if (entry.retry.perTryTimeoutMs !== undefined && entry.retry.perTryTimeoutMs > 0) {
    layers.push(createTimeoutLayer({ timeoutMs: entry.retry.perTryTimeoutMs, scope: 'per-try' }));
  }
  return layers;
}
