// Retries: only requests that are safe to send twice (idempotent methods, a body we still hold),
// only for the configured conditions, with exponential backoff and full jitter, and only while
// the retry budget lasts. A failed attempt's answer never reaches the caller.

import type { SnapshotRetry } from '@weft/mesh-config';
import { asProxyError, isClientGone, type ProxyError } from '../errors.ts';
import { channels } from '../telemetry/channels.ts';
import type { Layer } from './dispatch.ts';
import type { RetryBudget } from './retry-budget.ts';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const GATEWAY_STATUSES = new Set([502, 503, 504]);

export interface RetryParams {
  readonly policy: SnapshotRetry;
  readonly budget: RetryBudget;
  /** Tags the retry events. */
  readonly proxy: object;
  readonly random?: () => number;
}

export function createRetryLayer(params: RetryParams): Layer {
  const { policy, budget } = params;
  if (policy.attempts < 0) throw new RangeError(`attempts must be >= 0, got ${policy.attempts}`);
  const random = params.random ?? Math.random;
  const retryOn = new Set(policy.retryOn);

  const retryableStatus = (status: number) =>
    (retryOn.has('5xx') && status >= 500 && status <= 599) ||
    (retryOn.has('gateway-error') && GATEWAY_STATUSES.has(status));
  const retryableError = (error: ProxyError) =>
    error.reason === 'upstream-timeout' ||
    (retryOn.has('connect-failure') && error.reason === 'upstream-connect-failure') ||
    (retryOn.has('reset') && error.reason === 'upstream-reset') ||
    (retryOn.has('gateway-error') &&
      GATEWAY_STATUSES.has(error.status) &&
      error.reason !== 'circuit-open');
  const backoffMs = (retry: number) =>
    Math.floor(random() * Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (retry - 1)));

  return (next) => (request, handler) => {
    budget.recordRequest();
    const replayable = !(request.body !== null && !Buffer.isBuffer(request.body));
    const safe = policy.retryNonIdempotent || IDEMPOTENT.has(request.method);
    if (policy.attempts === 0 || !replayable || !safe) {
      next(request, handler);
      return;
    }
    const mayRetry = () => request.context.retries < policy.attempts && budget.tryAcquire();
    const retry = (reason: string) => {
      request.context.retries += 1;
      channels.retry.publish({
        proxy: params.proxy,
        cluster: request.context.cluster ?? '',
        reason,
      });
      setTimeout(attempt, backoffMs(request.context.retries));
    };
    const attempt = () => {
      let discarding = false;
      next(request, {
        onRequestStart(c, context) {
          handler.onRequestStart?.(c, context);
        },
        onRequestUpgrade(c, statusCode, headers, socket) {
          handler.onRequestUpgrade?.(c, statusCode, headers, socket);
        },
        onResponseStart(c, statusCode, headers, message) {
          if (retryableStatus(statusCode) && mayRetry()) {
            discarding = true;
            return;
          }
          handler.onResponseStart?.(c, statusCode, headers, message);
        },
        onResponseData(c, chunk) {
          if (!discarding) handler.onResponseData?.(c, chunk);
        },
        onResponseEnd(c, trailers) {
          if (discarding) retry('status');
          else handler.onResponseEnd?.(c, trailers);
        },
        onResponseError(c, error) {
          if (isClientGone(error)) handler.onResponseError?.(c, error);
          else if (discarding) retry('status');
          else if (retryableError(asProxyError(error)) && mayRetry())
            retry(asProxyError(error).reason);
          else handler.onResponseError?.(c, error);
        },
      });
    };
    attempt();
  };
}
