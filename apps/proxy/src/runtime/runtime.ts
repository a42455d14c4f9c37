// Everything a snapshot means at run time, built once per snapshot and then only read: lookup
// tables from what a request carries to the stack that serves it (upstreams by local port and
// host name, each route entry's logical stack, each cluster's concrete stack, the inbound stack)
// and what the listeners check (revoked serials). The stacks themselves are assembled in
// outbound/{logical,concrete,endpoint}/stack.ts and inbound/stack.ts. A request keeps the
// runtime it started with, so a swap never changes a request mid-way.

import type { ProxySnapshot, SnapshotRouteEntry, SnapshotUpstream } from '@weft/mesh-config';
import type { Pool } from 'undici';
import { noHealthyEndpoint } from '../errors.ts';
import type { EndpointHealthRegistry } from '../health/endpoint-health.ts';
import { buildInboundStack } from '../inbound/stack.ts';
import { buildConcreteStack, type ConcreteStack } from '../outbound/concrete/stack.ts';
import type { EndpointPools } from '../outbound/endpoint/endpoint-pools.ts';
import { RegexCache } from '../outbound/logical/route-match.ts';
import { buildLogicalStack } from '../outbound/logical/stack.ts';
import { type Dispatch, failRequest, type InboundRequest } from '../stack/dispatch.ts';

export interface UpstreamRuntime {
  readonly upstream: SnapshotUpstream;
  readonly entries: readonly SnapshotRouteEntry[];
  /** The logical stack of each entry, by identity of the entry object. */
  readonly stacks: ReadonlyMap<SnapshotRouteEntry, Dispatch>;
}

export interface Runtime {
  readonly snapshot: ProxySnapshot;
  readonly byLocalPort: ReadonlyMap<number, UpstreamRuntime>;
  readonly byHost: ReadonlyMap<string, UpstreamRuntime>;
  readonly clusters: ReadonlyMap<string, ConcreteStack>;
  readonly regexes: RegexCache;
  /** What an inbound request goes through: access policy, then the local service. */
  readonly inbound: Dispatch<InboundRequest>;
  /** Certificate serials no peer may present, in either direction. */
  readonly revoked: ReadonlySet<string>;
  /** Each cluster's version label, for telemetry ("" for a whole-service cluster). */
  readonly clusterVersions: ReadonlyMap<string, string>;
}

/** What outlives snapshots, shared by the stacks of each. */
export interface RuntimeDependencies {
  readonly pools: EndpointPools;
  readonly health: EndpointHealthRegistry;
  /** The keep-alive pool to the local service. */
  readonly application: Pool;
  /** Tags the stacks' events. */
  readonly proxy: object;
}

export function buildRuntime(snapshot: ProxySnapshot, deps: RuntimeDependencies): Runtime {
  const clusters = new Map<string, ConcreteStack>();
  for (const cluster of snapshot.clusters)
    clusters.set(cluster.name, buildConcreteStack(cluster, deps));
  // The logical stacks' way down: the concrete stack of the cluster their backend pick chose.
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
      stacks.set(entry, buildLogicalStack(entry, { toCluster, proxy: deps.proxy }));
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
    inbound: buildInboundStack(snapshot, deps.application),
    revoked: new Set(snapshot.revokedSerials),
    clusterVersions: new Map(snapshot.clusters.map((c) => [c.name, c.version ?? ''])),
  };
}
