// The concrete level: one cluster (a service, or one version subset of it) behind its rate
// limit and circuit breaker, balanced over its endpoints, each answer feeding outlier detection.

import type { SnapshotCluster } from '@weft/mesh-config';
import type { EndpointHealth, EndpointHealthRegistry } from '../../health/endpoint-health.ts';
import { createBalance } from '../../stack/balance.ts';
import { createBreakerLayer } from '../../stack/breaker.ts';
import { compose, type Dispatch, type Layer } from '../../stack/dispatch.ts';
import { createRateLimitLayer } from '../../stack/rate-limit.ts';
import type { EndpointPools } from '../endpoint/endpoint-pools.ts';
import { buildEndpointStack } from '../endpoint/stack.ts';

export interface ConcreteStack {
  readonly name: string;
  readonly dispatch: Dispatch;
  /** The health records of its endpoints, kept in the registry while a cluster names them. */
  readonly endpoints: readonly EndpointHealth[];
  /** The pools its endpoints use, kept open while a cluster names them. */
  readonly poolKeys: readonly string[];
}

export interface ConcreteStackDependencies {
  readonly pools: EndpointPools;
  readonly health: EndpointHealthRegistry;
  /** Tags the stack's events. */
  readonly proxy: object;
}

/**
 * Top to bottom:
 *   rate limit -> fail fast with 429 when over the local limit
 *   breaker    -> fail fast with 503 at max requests or max pending
 *   balance    -> pick a healthy endpoint, count it in flight, judge its answer
 *   endpoint   -> that endpoint's own stack (outbound/endpoint/stack.ts)
 */
export function buildConcreteStack(
  cluster: SnapshotCluster,
  deps: ConcreteStackDependencies,
): ConcreteStack {
  const { name, connectionPool, rateLimit } = cluster;
  const endpoints = cluster.endpoints.map((e) => deps.health.get(e.workload, e.address, e.port));
  const stacks = endpoints.map((health) => ({
    health,
    ...buildEndpointStack(cluster, health, deps.pools),
  }));
  const poolKeys = stacks.map((s) => s.poolKey);
  const layers: Layer[] = [];
  if (rateLimit !== undefined)
    layers.push(createRateLimitLayer({ cluster: name, ...rateLimit, proxy: deps.proxy }));
  layers.push(
    createBreakerLayer({
      cluster: name,
      maxRequests: connectionPool.maxRequests,
      maxPendingRequests: connectionPool.maxPendingRequests,
      pending: () => deps.pools.pendingFor(poolKeys),
      proxy: deps.proxy,
    }),
  );
  const balance = createBalance({
    cluster: name,
    loadBalancer: cluster.loadBalancer,
    outlierDetection: cluster.outlierDetection,
    endpoints: stacks,
    proxy: deps.proxy,
  });
  return { name, dispatch: compose(layers, balance), endpoints, poolKeys };
}
