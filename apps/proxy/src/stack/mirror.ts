// Mirroring: a share of requests is also sent to another cluster, fire-and-forget; its answer
// is thrown away and its failures never touch the caller.

import type { Dispatch, Layer, ResponseHandler } from './dispatch.ts';

const DISCARD: ResponseHandler = {
  onResponseError() {},
};

export function createMirrorLayer(params: {
  percent: number;
  target: Dispatch;
  random?: () => number;
}): Layer {
  const random = params.random ?? Math.random;
  return (next) => (request, handler) => {
    // A streamed body can be read once, and it belongs to the real request.
    const copyable = request.body === null || Buffer.isBuffer(request.body);
    if (copyable && random() * 100 < params.percent) {
      params.target(
        {
          ...request,
          headers: { ...request.headers },
          context: { ...request.context, retries: 0 },
        },
        DISCARD,
      );
      request.context.mirrored = true;
    }
    next(request, handler);
  };
}
