// Inbound requests: identity -> access policy (403 naming the rule) -> the local service over a
// keep-alive pool. The service is unchanged: it sees plain HTTP from localhost.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
import { accessDenied, notReady, ProxyError } from '../errors.ts';
import {
  continueTrace,
  endToEndHeaders,
  ensureRequestId,
  type HeaderMap,
} from '../http/headers.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { failRequest } from '../stack/dispatch.ts';
import { type Completion, createResponseSink } from '../stack/response-sink.ts';
import { createUpgradeSink } from '../stack/upgrade-sink.ts';

/** Header telling the service who called it, as Istio's x-forwarded-client-cert does. */
export const PEER_IDENTITY_HEADER = 'x-weft-peer-identity';

export interface InboundHandlerParams {
  readonly application: { address: string; port: number };
  readonly runtime: () => Runtime | undefined;
  readonly onComplete: (completion: Completion, startedAt: number) => void;
}

export function createInboundHandler(params: InboundHandlerParams) {
  const app = new Pool(`http://${params.application.address}:${params.application.port}`, {
    // The service's own timeouts apply; the caller's proxy enforces the route's.
    headersTimeout: 0,
    bodyTimeout: 0,
  });

  /** Access policy first; then the headers as the service should see them, or the refusal. */
  const admit = (req: IncomingMessage, peer: string | undefined): HeaderMap | ProxyError => {
    const runtime = params.runtime();
    if (runtime === undefined) return notReady();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const pathname = query === -1 ? url : url.slice(0, query);
    const decision = runtime.access.decide(peer, req.method ?? 'GET', pathname);
    if (!decision.allowed) return accessDenied(decision.rule);
    const headers = endToEndHeaders(req.headers);
    ensureRequestId(headers);
    continueTrace(headers);
    // A caller must not be able to claim an identity by sending the header itself.
    if (peer === undefined) delete headers[PEER_IDENTITY_HEADER];
    else headers[PEER_IDENTITY_HEADER] = peer;
    return headers;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, peer: string | undefined) => {
    const startedAt = performance.now();
    const sink = createResponseSink(res, {
      onComplete: (completion) => params.onComplete(completion, startedAt),
    });
    const headers = admit(req, peer);
    if (headers instanceof ProxyError) {
      req.resume();
      failRequest(sink, headers);
      return;
    }
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      (req.headers['content-length'] ?? '0') !== '0';
    app.dispatch(
      {
        path: req.url ?? '/',
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers,
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
    const sink = createUpgradeSink(socket, head, (status, reason) =>
      params.onComplete(
        { status, responseBytes: 0, ...(reason === undefined ? {} : { reason }) },
        startedAt,
      ),
    );
    const headers = admit(req, peer);
    if (headers instanceof ProxyError) {
      failRequest(sink, headers);
      return;
    }
    app.dispatch(
      {
        path: req.url ?? '/',
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers,
        upgrade: String(req.headers.upgrade ?? 'websocket'),
      },
      sink,
    );
  };

  return { handle, handleUpgrade, close: () => app.close() };
}
