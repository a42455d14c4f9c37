// Inbound requests: identity -> access policy (403 naming the rule) -> the local service over a
// keep-alive pool. The service is unchanged: it sees plain HTTP from localhost, with a
// traceparent whose parent is this hop's (SERVER) span. Completions go to the request channel.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
import { accessDenied, badRequestTarget, notReady, type ProxyError } from '../errors.ts';
import {
  continueTrace,
  endToEndHeaders,
  ensureRequestId,
  type HeaderMap,
  type NewTraceSampler,
  type TraceContext,
} from '../http/headers.ts';
import { parseRequestTarget } from '../http/request-target.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { failRequest } from '../stack/dispatch.ts';
import { type Completion, createResponseSink } from '../stack/response-sink.ts';
import { createUpgradeSink } from '../stack/upgrade-sink.ts';
import { requestCompleted } from '../telemetry/request-events.ts';

/** Header telling the service who called it, as Istio's x-forwarded-client-cert does. */
export const PEER_IDENTITY_HEADER = 'x-weft-peer-identity';

export interface InboundHandlerParams {
  readonly application: { address: string; port: number };
  readonly runtime: () => Runtime | undefined;
  /** Tags this proxy's events on the request channel. */
  readonly proxy: object;
  readonly sampleNewTrace: NewTraceSampler;
}

/** What the service will see, read before the policy so that refusals are traced and logged too. */
interface Admitted {
  readonly headers: HeaderMap;
  readonly requestId: string;
  readonly trace: TraceContext;
  /** Origin-form: an absolute-form target is reduced to it, so the policy sees the real path. */
  readonly path: string;
  readonly refusal: ProxyError | undefined;
}

export function createInboundHandler(params: InboundHandlerParams) {
  const app = new Pool(`http://${params.application.address}:${params.application.port}`, {
    // The service's own timeouts apply; the caller's proxy enforces the route's.
    headersTimeout: 0,
    bodyTimeout: 0,
  });

  const admit = (req: IncomingMessage, peer: string | undefined): Admitted => {
    const headers = endToEndHeaders(req.headers);
    const requestId = ensureRequestId(headers);
    const trace = continueTrace(headers, params.sampleNewTrace);
    // A caller must not be able to claim an identity by sending the header itself.
    if (peer === undefined) delete headers[PEER_IDENTITY_HEADER];
    else headers[PEER_IDENTITY_HEADER] = peer;
    // The listener's guard has refused targets that do not parse; this keeps the handler total.
    const target = parseRequestTarget(req.url ?? '/');
    if (target === undefined)
      return { headers, requestId, trace, path: '/', refusal: badRequestTarget(req.url ?? '') };
    const { path, pathname } = target;
    const runtime = params.runtime();
    if (runtime === undefined) return { headers, requestId, trace, path, refusal: notReady() };
    const decision = runtime.access.decide(peer, req.method ?? 'GET', pathname);
    const refusal = decision.allowed ? undefined : accessDenied(decision.rule);
    return { headers, requestId, trace, path, refusal };
  };

  const publish = (
    req: IncomingMessage,
    peer: string | undefined,
    admitted: Admitted,
    completion: Completion,
    startedAt: number,
    upgrade: boolean,
  ) => {
    if (!requestCompleted.hasSubscribers) return;
    requestCompleted.publish({
      proxy: params.proxy,
      direction: 'inbound',
      req,
      requestId: admitted.requestId,
      trace: admitted.trace,
      peer,
      request: undefined,
      completion,
      upgrade,
      startedAt,
      endedAt: performance.now(),
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse, peer: string | undefined) => {
    const startedAt = performance.now();
    const admitted = admit(req, peer);
    const sink = createResponseSink(res, {
      onComplete: (completion) => publish(req, peer, admitted, completion, startedAt, false),
    });
    if (admitted.refusal !== undefined) {
      req.resume();
      failRequest(sink, admitted.refusal);
      return;
    }
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      (req.headers['content-length'] ?? '0') !== '0';
    app.dispatch(
      {
        path: admitted.path,
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: admitted.headers,
        body: hasBody ? req : null,
      },
      sink,
    );
  };

  const handleUpgrade = (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    peer: string | undefined,
  ) => {
    const startedAt = performance.now();
    const admitted = admit(req, peer);
    const sink = createUpgradeSink(socket, head, (status, reason) =>
      publish(
        req,
        peer,
        admitted,
        { status, responseBytes: 0, ...(reason === undefined ? {} : { reason }) },
        startedAt,
        true,
      ),
    );
    if (admitted.refusal !== undefined) {
      failRequest(sink, admitted.refusal);
      return;
    }
    app.dispatch(
      {
        path: admitted.path,
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: admitted.headers,
        upgrade: String(req.headers.upgrade ?? 'websocket'),
      },
      sink,
    );
  };

  return { handle, handleUpgrade, close: () => app.close() };
}
