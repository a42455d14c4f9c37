// Inbound requests: the caller's identity put in a header, the request run through the inbound
// stack of the snapshot in force (access policy, then the local service: inbound/stack.ts). The
// service is unchanged: it sees plain HTTP from localhost, with a traceparent whose parent is
// this hop's (SERVER) span. Completions go to the request channel.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { badRequestTarget, notReady } from '../errors.ts';
import {
  continueTrace,
  endToEndHeaders,
  ensureRequestId,
  type NewTraceSampler,
} from '../http/headers.ts';
import { parseRequestTarget, type RequestTarget } from '../http/request-target.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { failRequest, type InboundRequest, type ResponseHandler } from '../stack/dispatch.ts';
import { type Completion, createResponseSink } from '../stack/response-sink.ts';
import { createUpgradeSink } from '../stack/upgrade-sink.ts';
import { channels } from '../telemetry/channels.ts';

/** Header telling the service who called it, as Istio's x-forwarded-client-cert does. */
export const PEER_IDENTITY_HEADER = 'x-weft-peer-identity';

export interface InboundHandlerParams {
  readonly runtime: () => Runtime | undefined;
  /** Tags this proxy's events on the request channel. */
  readonly proxy: object;
  readonly sampleNewTrace: NewTraceSampler;
}

export function createInboundHandler(params: InboundHandlerParams) {
  /** What the service will see, read before the policy so that refusals are traced and logged too. */
  const inboundRequest = (
    req: IncomingMessage,
    target: RequestTarget | undefined,
    peer: string | undefined,
    body: InboundRequest['body'],
    upgrade: string | undefined,
  ): InboundRequest => {
    const headers = endToEndHeaders(req.headers);
    const requestId = ensureRequestId(headers);
    const trace = continueTrace(headers, params.sampleNewTrace);
    // A caller must not be able to claim an identity by sending the header itself.
    if (peer === undefined) delete headers[PEER_IDENTITY_HEADER];
    else headers[PEER_IDENTITY_HEADER] = peer;
    return {
      method: req.method ?? 'GET',
      // Origin-form: an absolute-form target is reduced to it, so the policy sees the real path.
      path: target?.path ?? '/',
      pathname: target?.pathname ?? '/',
      headers,
      body,
      upgrade,
      peer,
      requestId,
      trace,
    };
  };

  const publish = (
    req: IncomingMessage,
    request: InboundRequest,
    completion: Completion,
    startedAt: number,
  ) => {
    if (!channels.requestCompleted.hasSubscribers) return;
    channels.requestCompleted.publish({
      proxy: params.proxy,
      direction: 'inbound',
      req,
      requestId: request.requestId,
      trace: request.trace,
      peer: request.peer,
      request: undefined,
      completion,
      upgrade: request.upgrade !== undefined,
      startedAt,
      endedAt: performance.now(),
    });
  };

  /** Runs the request through the inbound stack in force, unless it cannot be served at all. */
  const serve = (
    req: IncomingMessage,
    target: RequestTarget | undefined,
    request: InboundRequest,
    sink: ResponseHandler,
  ) => {
    // The listener's guard has refused targets that do not parse; this keeps the handler total.
    const runtime = params.runtime();
    if (target === undefined || runtime === undefined) {
      if (request.upgrade === undefined) req.resume();
      failRequest(sink, target === undefined ? badRequestTarget(req.url ?? '') : notReady());
      return;
    }
    runtime.inbound(request, sink);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, peer: string | undefined) => {
    const startedAt = performance.now();
    const target = parseRequestTarget(req.url ?? '/');
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      (req.headers['content-length'] ?? '0') !== '0';
    const request = inboundRequest(req, target, peer, hasBody ? req : null, undefined);
    const sink = createResponseSink(res, {
      onComplete: (completion) => publish(req, request, completion, startedAt),
    });
    serve(req, target, request, sink);
  };

  const handleUpgrade = (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    peer: string | undefined,
  ) => {
    const startedAt = performance.now();
    const target = parseRequestTarget(req.url ?? '/');
    const upgrade = String(req.headers.upgrade ?? 'websocket');
    const request = inboundRequest(req, target, peer, null, upgrade);
    const sink = createUpgradeSink(socket, head, (status, reason) =>
      publish(
        req,
        request,
        { status, responseBytes: 0, ...(reason === undefined ? {} : { reason }) },
        startedAt,
      ),
    );
    serve(req, target, request, sink);
  };

  return { handle, handleUpgrade };
}
