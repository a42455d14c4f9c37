// The endpoint level: one peer proxy of a cluster, reached over the shared mTLS keep-alive pool
// for its address, expected identity and limits (pools outlive snapshots: see endpoint-pools.ts).

import type { SnapshotCluster } from '@weft/mesh-config';
import type { EndpointHealth } from '../../health/endpoint-health.ts';
import type { Dispatch } from '../../stack/dispatch.ts';
import { createForward } from '../../stack/forward.ts';
import { type EndpointPools, type PoolSettings, poolKey } from './endpoint-pools.ts';

export interface EndpointStack {
  /** The pool it uses, kept open while some snapshot's endpoint names it. */
  readonly poolKey: string;
  readonly dispatch: Dispatch;
}

export function buildEndpointStack(
  cluster: SnapshotCluster,
  endpoint: EndpointHealth,
  pools: EndpointPools,
): EndpointStack {
  const settings: PoolSettings = {
    address: endpoint.address,
    port: endpoint.port,
    expectedIdentity: cluster.identity,
    maxConnections: cluster.connectionPool.maxConnections,
    connectTimeoutMs: cluster.connectionPool.connectTimeoutMs,
    idleTimeoutMs: cluster.connectionPool.idleTimeoutMs,
  };
  // forward -> the pool: connect, TLS (resumed per peer), peer identity checked, keep-alive
  return { poolKey: poolKey(settings), dispatch: createForward(pools.get(settings)) };
}
