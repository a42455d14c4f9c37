// The balancer of a cluster, where the concrete level fans out to its endpoints: picks one
// (stack/balancer.ts), counts the request in flight on it, and judges its answer for outlier
// detection, which ejects an endpoint after too many consecutive 5xx or gateway errors. It ends
// the concrete stack: below it each endpoint has a stack of its own.

import type { SnapshotCluster } from '@weft/mesh-config';
import { asProxyError, isClientGone, noHealthyEndpoint } from '../errors.ts';
import { type EndpointHealth, maxEjected } from '../health/endpoint-health.ts';
import { channels } from '../telemetry/channels.ts';
import { createBalancer } from './balancer.ts';
import { type Dispatch, failRequest } from './dispatch.ts';

export interface BalancedEndpoint {
  readonly health: EndpointHealth;
  /** The endpoint's own stack: the mTLS pool to it. */
  readonly dispatch: Dispatch;
}

export interface BalanceParams {
  readonly cluster: string;
  readonly loadBalancer: SnapshotCluster['loadBalancer'];
  readonly outlierDetection: SnapshotCluster['outlierDetection'];
  readonly endpoints: readonly BalancedEndpoint[];
  /** Tags the ejection events. */
  readonly proxy: object;
  readonly random?: () => number;
}

export function createBalance(params: BalanceParams): Dispatch {
  const { cluster, outlierDetection } = params;
  const endpoints = params.endpoints.map((e) => e.health);
  // Resolved once per snapshot: the hot path must not rebuild keys to find an endpoint's stack.
  const stackOf = new Map(params.endpoints.map((e) => [e.health, e.dispatch] as const));
  const balance = createBalancer(params.loadBalancer, params.random);
  const canEject = () =>
    endpoints.filter((e) => e.isEjected(Date.now())).length <
    maxEjected(endpoints.length, outlierDetection.maxEjectionPercent);

  return (request, handler) => {
    const now = Date.now();
    // Still the previous attempt's endpoint when this is a retry.
    const previous = request.context.retries > 0 ? request.context.endpoint : undefined;
    const endpoint = balance(endpoints, now, previous);
    const dispatch = endpoint === undefined ? undefined : stackOf.get(endpoint);
    if (endpoint === undefined || dispatch === undefined) {
      failRequest(handler, noHealthyEndpoint(cluster));
      return;
    }
    request.context.endpoint = endpoint.workload;
    endpoint.inFlight += 1;
    let status = 0;
    const judge = (outcome: 'success' | 'server-error' | 'gateway-error') => {
      endpoint.inFlight -= 1;
      if (endpoint.record(outcome, outlierDetection, canEject, Date.now())) {
        request.context.ejected = true;
        channels.ejection.publish({ proxy: params.proxy, cluster, endpoint: endpoint.workload });
      }
    };
    dispatch(request, {
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
    });
  };
}
