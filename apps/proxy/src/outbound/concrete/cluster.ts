// The concrete level: one cluster's endpoints behind its balancer, circuit breaker and rate
// limit, each answer feeding outlier detection. Stacked top to bottom:
//   rate limit   -> fail fast with 429 when over the local limit
//   breaker      -> fail fast with 503 at max requests or max pending
//   balancer     -> pick a healthy endpoint, count it in flight, judge its answer
//   endpoint     -> the mTLS keep-alive pool to that peer proxy

import type { SnapshotCluster } from '@weft/mesh-config';
import type { Dispatcher } from 'undici';
import {
  asProxyError,
  circuitOpen,
  isClientGone,
  noHealthyEndpoint,
  rateLimited,
} from '../../errors.ts';
import { compose, type Dispatch, failRequest, type Layer } from '../../stack/dispatch.ts';
import { type EndpointPools, poolKey } from '../endpoint/endpoint-pools.ts';
import { createBalancer } from './balancer.ts';
import { type EndpointHealth, maxEjected } from './endpoint-health.ts';
import { TokenBucket } from './token-bucket.ts';

export interface ClusterEvents {
  onEjection(cluster: string, endpoint: string): void;
  onOverflow(cluster: string, reason: string): void;
}

export interface ClusterRuntime {
  readonly name: string;
  readonly dispatch: Dispatch;
  readonly endpoints: readonly EndpointHealth[];
  readonly poolKeys: readonly string[];
}

export function buildClusterStack(
  cluster: SnapshotCluster,
  pools: EndpointPools,
  health: (workload: string, address: string, port: number) => EndpointHealth,
  events: ClusterEvents,
): ClusterRuntime {
  const endpoints = cluster.endpoints.map((e) => health(e.workload, e.address, e.port));
  const settings = (endpoint: EndpointHealth) => ({
    address: endpoint.address,
    port: endpoint.port,
    expectedIdentity: cluster.identity,
    maxConnections: cluster.connectionPool.maxConnections,
    connectTimeoutMs: cluster.connectionPool.connectTimeoutMs,
    idleTimeoutMs: cluster.connectionPool.idleTimeoutMs,
  });
  const poolKeys = endpoints.map((e) => poolKey(settings(e)));
  // Resolved once per snapshot: the hot path must not rebuild keys to find a pool.
  const poolOf = new Map(endpoints.map((e) => [e, pools.get(settings(e))] as const));
  let inFlight = 0;

  const rateLimit: Layer = (next) => {
    if (cluster.rateLimit === undefined) return next;
    const bucket = new TokenBucket(cluster.rateLimit.requestsPerSecond, cluster.rateLimit.burst);
    return (request, handler) => {
      if (bucket.tryTake()) next(request, handler);
      else {
        events.onOverflow(cluster.name, 'rate-limit');
        failRequest(handler, rateLimited(cluster.name));
      }
    };
  };

  const breaker: Layer = (next) => (request, handler) => {
    const { maxRequests, maxPendingRequests } = cluster.connectionPool;
    const overflow =
      inFlight >= maxRequests
        ? 'max requests'
        : // Nothing can wait for a connection that is not in flight; asking the pools builds a
          // stats object per pool, so ask only when the limit is within reach.
          inFlight >= maxPendingRequests && pools.pendingFor(poolKeys) >= maxPendingRequests
          ? 'max pending'
          : undefined;
    if (overflow !== undefined) {
      events.onOverflow(cluster.name, overflow);
      failRequest(handler, circuitOpen(cluster.name, overflow));
      return;
    }
    inFlight += 1;
    let done = false;
    const release = () => {
      if (!done) inFlight -= 1;
      done = true;
    };
    next(request, {
      ...handler,
      onRequestStart: (c, ctx) => handler.onRequestStart?.(c, ctx),
      onResponseStart: (c, s, h, m) => handler.onResponseStart?.(c, s, h, m),
      onResponseData: (c, chunk) => handler.onResponseData?.(c, chunk),
      onResponseEnd: (c, t) => {
        release();
        handler.onResponseEnd?.(c, t);
      },
      onResponseError: (c, e) => {
        release();
        handler.onResponseError?.(c, e);
      },
    });
  };

  const balance = createBalancer(cluster.loadBalancer);
  const { outlierDetection } = cluster;
  const canEject = () =>
    endpoints.filter((e) => e.isEjected(Date.now())).length <
    maxEjected(endpoints.length, outlierDetection.maxEjectionPercent);

  const endpointDispatch: Dispatch = (request, handler) => {
    const now = Date.now();
    // Still the previous attempt's endpoint when this is a retry.
    const previous = request.context.retries > 0 ? request.context.endpoint : undefined;
    const endpoint = balance(endpoints, now, previous);
    if (endpoint === undefined) {
      failRequest(handler, noHealthyEndpoint(cluster.name));
      return;
    }
    request.context.endpoint = endpoint.workload;
    endpoint.inFlight += 1;
    let status = 0;
    const judge = (outcome: 'success' | 'server-error' | 'gateway-error') => {
      endpoint.inFlight -= 1;
      if (endpoint.record(outcome, outlierDetection, canEject, Date.now())) {
        request.context.ejected = true;
        events.onEjection(cluster.name, endpoint.workload);
      }
    };
    (poolOf.get(endpoint) ?? pools.get(settings(endpoint))).dispatch(
      {
        path: request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body,
        ...(request.upgrade === undefined ? {} : { upgrade: request.upgrade }),
      },
      {
        onRequestStart: (c, ctx) => handler.onRequestStart?.(c, ctx),
        onRequestUpgrade: (c, statusCode, headers, socket) => {
          judge('success');
          handler.onRequestUpgrade?.(c, statusCode, headers, socket);
        },
        onResponseStart: (c, statusCode, headers, message) => {
          status = statusCode;
          handler.onResponseStart?.(c, statusCode, headers, message);
        },
        onResponseData: (c, chunk) => handler.onResponseData?.(c, chunk),
        onResponseEnd: (c, trailers) => {
          judge(
            status >= 502 && status <= 504
              ? 'gateway-error'
              : status >= 500
                ? 'server-error'
                : 'success',
          );
          handler.onResponseEnd?.(c, trailers);
        },
        onResponseError: (c, error) => {
          if (isClientGone(error)) endpoint.inFlight -= 1;
          else judge(asProxyError(error).status >= 502 ? 'gateway-error' : 'server-error');
          handler.onResponseError?.(c, error);
        },
      },
    );
  };

  return {
    name: cluster.name,
    dispatch: compose([rateLimit, breaker], endpointDispatch),
    endpoints,
    poolKeys,
  };
}
