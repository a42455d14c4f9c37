// Request timeout: the caller gets 504 when no complete answer arrives in time, and the
// upstream attempt in flight is cancelled. Used for the whole request and for each try.

import { upstreamTimeout } from '../errors.ts';
import type { Controller, Layer } from './dispatch.ts';

export function createTimeoutLayer(params: {
  timeoutMs: number;
  scope: 'request' | 'per-try';
}): Layer {
  if (!Number.isInteger(params.timeoutMs) || params.timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive integer, got ${params.timeoutMs}`);
  }
  return (next) => (request, handler) => {
    let controller: Controller | undefined;
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      const error = upstreamTimeout(params.timeoutMs, params.scope);
      if (controller !== undefined && !controller.aborted) controller.abort(error);
      handler.onResponseError?.(controller ?? idleController, error);
    }, params.timeoutMs);
    const settle = () => {
      settled = true;
      clearTimeout(timer);
    };
    next(request, {
      onRequestStart(c, context) {
        controller = c;
        if (settled) c.abort(upstreamTimeout(params.timeoutMs, params.scope));
        else handler.onRequestStart?.(c, context);
      },
      onRequestUpgrade(c, statusCode, headers, socket) {
        if (settled) return;
        settle();
        handler.onRequestUpgrade?.(c, statusCode, headers, socket);
      },
      onResponseStart(c, statusCode, headers, message) {
        if (!settled) handler.onResponseStart?.(c, statusCode, headers, message);
      },
      onResponseData(c, chunk) {
        if (!settled) handler.onResponseData?.(c, chunk);
      },
      onResponseEnd(c, trailers) {
        if (settled) return;
        settle();
        handler.onResponseEnd?.(c, trailers);
      },
      onResponseError(c, error) {
        if (settled) return;
        settle();
        handler.onResponseError?.(c, error);
      },
    });
  };
}

/** Stands in when the timeout fires before any attempt has started (during a backoff). */
const idleController: Controller = {
  aborted: true,
  paused: false,
  reason: null,
  pause() {},
  resume() {},
  abort() {},
};
