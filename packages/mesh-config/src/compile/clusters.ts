// Builds the clusters a snapshot needs: policy from the destination's TrafficPolicy, endpoints from the registry.

import { validatedDurationMs as ms } from '../duration.ts';
import { clusterName } from './cluster-name.ts';
import {
  DEFAULT_BASE_EJECTION_TIME_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_CONSECUTIVE_5XX,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_LOAD_BALANCER,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_EJECTION_PERCENT,
  DEFAULT_MAX_PENDING_REQUESTS,
  DEFAULT_MAX_REQUESTS,
  DEFAULT_OUTLIER_INTERVAL_MS,
} from './defaults.ts';
import type { InputReader } from './inputs.ts';
import type { ClusterDemand } from './route-entries.ts';
import type { SnapshotCluster } from './snapshot.ts';
import { matchesSubset, spiffeId } from './workload.ts';

export interface ClusterContext {
  readonly trustDomain: string;
  /** The destination's Service, TrafficPolicy and endpoints are read through it. */
  readonly inputs: InputReader;
}

export function buildCluster(demand: ClusterDemand, context: ClusterContext): SnapshotCluster {
  const [namespace = '', name = ''] = demand.service.split('/');
  const service = context.inputs.service(demand.service);
  const spec = context.inputs.trafficPolicy(demand.service)?.spec;
  const subset =
    demand.version === undefined
      ? undefined
      : (service?.spec.versions.find((v) => v.name === demand.version)?.labels ?? {
          version: demand.version,
        });
  const endpoints = context.inputs
    .endpoints(demand.service)
    .filter((e) => subset === undefined || matchesSubset(e, subset))
    .map((e) => ({ workload: e.id, address: e.address, port: e.port }))
    .sort((a, b) => a.workload.localeCompare(b.workload));
  const pool = spec?.connectionPool;
  const outlier = spec?.outlierDetection;
  const consecutive5xx = outlier?.consecutive5xxErrors ?? DEFAULT_CONSECUTIVE_5XX;
  return {
    name: clusterName(demand.service, demand.version),
    service: demand.service,
    ...(demand.version === undefined ? {} : { version: demand.version }),
    identity: spiffeId(context.trustDomain, namespace, name),
    loadBalancer: spec?.loadBalancer?.type ?? DEFAULT_LOAD_BALANCER,
    connectionPool: {
      maxConnections: pool?.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      maxPendingRequests: pool?.maxPendingRequests ?? DEFAULT_MAX_PENDING_REQUESTS,
      maxRequests: pool?.maxRequests ?? DEFAULT_MAX_REQUESTS,
      connectTimeoutMs: pool?.connectTimeout ? ms(pool.connectTimeout) : DEFAULT_CONNECT_TIMEOUT_MS,
      idleTimeoutMs: pool?.idleTimeout ? ms(pool.idleTimeout) : DEFAULT_IDLE_TIMEOUT_MS,
    },
    outlierDetection: {
      consecutive5xxErrors: consecutive5xx,
      consecutiveGatewayErrors: outlier?.consecutiveGatewayErrors ?? consecutive5xx,
      intervalMs: outlier?.interval ? ms(outlier.interval) : DEFAULT_OUTLIER_INTERVAL_MS,
      baseEjectionTimeMs: outlier?.baseEjectionTime
        ? ms(outlier.baseEjectionTime)
        : DEFAULT_BASE_EJECTION_TIME_MS,
      maxEjectionPercent: outlier?.maxEjectionPercent ?? DEFAULT_MAX_EJECTION_PERCENT,
    },
    ...(spec?.rateLimit && {
      rateLimit: {
        requestsPerSecond: spec.rateLimit.requestsPerSecond,
        burst: spec.rateLimit.burst ?? spec.rateLimit.requestsPerSecond,
      },
    }),
    endpoints,
  };
}
