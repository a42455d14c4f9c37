// For the layers' unit tests (src/stack/*.test.ts): a request as the outbound handler makes it,
// a handler that records what reaches the caller, and small "next" dispatches that answer the
// way an upstream would (a status, an error) or never answer at all.

import type { SnapshotRetry, SnapshotRouteEntry } from '@weft/mesh-config';
import type { EventChannel, ProxyEvent } from '../telemetry/channels.ts';
import {
  type Dispatch,
  LocalController,
  type ProxyRequest,
  type RequestContext,
  type ResponseHandler,
} from './dispatch.ts';

export const NO_RETRY: SnapshotRetry = {
  attempts: 0,
  retryOn: [],
  backoffBaseMs: 1,
  backoffMaxMs: 1,
  budgetPercent: 20,
  retryNonIdempotent: false,
};

export const ROUTE: SnapshotRouteEntry = {
  source: 'HTTPRoute/shop/server rules[0]',
  match: { headers: [], queryParams: [] },
  backends: [{ cluster: 'server.shop', weight: 1 }],
  timeoutMs: 0,
  retry: NO_RETRY,
};

export function fakeRequest(
  init: Partial<Omit<ProxyRequest, 'context'>> & { context?: Partial<RequestContext> } = {},
): ProxyRequest {
  const { context, ...request } = init;
  return {
    method: 'GET',
    path: '/',
    headers: {},
    body: null,
    ...request,
    context: {
      requestId: 'request-1',
      trace: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), sampled: true },
      startedAt: 0,
      upstream: 'shop/server',
      route: ROUTE,
      retries: 0,
      ...context,
    },
  };
}

/** Records one proxy's events on a channel; `stop` unsubscribes. */
export function recordEvents<T extends ProxyEvent>(
  channel: EventChannel<T>,
  proxy: object,
): { readonly events: T[]; stop(): void } {
  const events: T[] = [];
  const stop = channel.subscribe(
    proxy,
    (event) => events.push(event),
    (error) => {
      throw error;
    },
  );
  return { events, stop };
}

export interface Recorded {
  status: number | undefined;
  body: string;
  error: Error | undefined;
  /** Settles once the answer is complete or failed. */
  readonly done: Promise<void>;
}

/** What reaches the caller. */
export function recordingHandler(): ResponseHandler & { recorded: Recorded } {
  let settle = () => {};
  const recorded: Recorded = {
    status: undefined,
    body: '',
    error: undefined,
    done: new Promise<void>((resolve) => {
      settle = resolve;
    }),
  };
  return {
    recorded,
    onRequestStart() {},
    onResponseStart(_c, statusCode) {
      recorded.status = statusCode;
    },
    onResponseData(_c, chunk) {
      recorded.body += chunk.toString();
    },
    onResponseEnd() {
      settle();
    },
    onResponseError(_c, error) {
      recorded.error = error;
      settle();
    },
  };
}

/** A next that answers every request with `status` (and the attempt's number as the body). */
export function answering(status: number | ((attempt: number) => number)): Dispatch & {
  readonly calls: ProxyRequest[];
} {
  const calls: ProxyRequest[] = [];
  const dispatch = (request: ProxyRequest, handler: ResponseHandler) => {
    calls.push(request);
    const controller = new LocalController();
    const code = typeof status === 'number' ? status : status(calls.length);
    handler.onRequestStart?.(controller, {});
    handler.onResponseStart?.(controller, code, {}, '');
    handler.onResponseData?.(controller, Buffer.from(String(calls.length)));
    handler.onResponseEnd?.(controller, {});
  };
  return Object.assign(dispatch, { calls });
}

/** A next that fails every request with `error`. */
export function failing(error: Error): Dispatch & { readonly calls: ProxyRequest[] } {
  const calls: ProxyRequest[] = [];
  const dispatch = (request: ProxyRequest, handler: ResponseHandler) => {
    calls.push(request);
    const controller = new LocalController();
    handler.onRequestStart?.(controller, {});
    handler.onResponseError?.(controller, error);
  };
  return Object.assign(dispatch, { calls });
}

/** A next that starts the request and never answers: its controller says if it was aborted. */
export function hanging(): Dispatch & { readonly controllers: LocalController[] } {
  const controllers: LocalController[] = [];
  const dispatch = (_request: ProxyRequest, handler: ResponseHandler) => {
    const controller = new LocalController();
    controllers.push(controller);
    handler.onRequestStart?.(controller, {});
  };
  return Object.assign(dispatch, { controllers });
}
