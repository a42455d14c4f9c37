// Circuit breaker of a cluster: a request over its max requests in flight, or arriving while
// max pending requests already wait for a connection, fails fast with 503 instead of piling up.

import { circuitOpen } from '../errors.ts';
import { channels } from '../telemetry/channels.ts';
import { failRequest, type Layer } from './dispatch.ts';

export interface BreakerParams {
  readonly cluster: string;
  readonly maxRequests: number;
  readonly maxPendingRequests: number;
  /** Requests waiting for a connection to any endpoint of the cluster, now. */
  readonly pending: () => number;
  /** Tags the overflow events. */
  readonly proxy: object;
}

export function createBreakerLayer(params: BreakerParams): Layer {
  const { cluster, maxRequests, maxPendingRequests } = params;
  let inFlight = 0;
  return (next) => (request, handler) => {
    const overflow =
      inFlight >= maxRequests
        ? 'max requests'
        : // Nothing can wait for a connection that is not in flight; asking the pools builds a
          // stats object per pool, so ask only when the limit is within reach.
          inFlight >= maxPendingRequests && params.pending() >= maxPendingRequests
          ? 'max pending'
          : undefined;
    if (overflow !== undefined) {
      channels.overflow.publish({ proxy: params.proxy, cluster, limit: overflow });
      failRequest(handler, circuitOpen(cluster, overflow));
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
}
