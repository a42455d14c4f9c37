// Outbound requests from the local service: find the upstream (by local port or by Host), match
// a route entry, prepare headers and body, and run the entry's logical stack (built per snapshot
// in outbound/logical/stack.ts) into the caller's response (or, for an Upgrade, into the
// caller's socket). The peer proxy gets a traceparent whose parent is this hop's (CLIENT) span,
// the same for every retry. Completions go to the request channel.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SnapshotRouteEntry } from '@weft/mesh-config';
import {
  badRequestTarget,
  clientGone,
  noRoute,
  notReady,
  ProxyError,
  unknownUpstream,
} from '../errors.ts';
import {
  continueTrace,
  endToEndHeaders,
  ensureRequestId,
  type HeaderMap,
  type NewTraceSampler,
} from '../http/headers.ts';
import { requestBody } from '../http/request-body.ts';
import { parseRequestTarget } from '../http/request-target.ts';
import type { Runtime, UpstreamRuntime } from '../runtime/runtime.ts';
import {
  type Dispatch,
  failRequest,
  type ProxyRequest,
  type ResponseHandler,
} from '../stack/dispatch.ts';
import { type Completion, createResponseSink } from '../stack/response-sink.ts';
import { createUpgradeSink } from '../stack/upgrade-sink.ts';
import { channels } from '../telemetry/channels.ts';
import { matchRoute } from './logical/route-match.ts';

/** `authority` is the host[:port] of an absolute-form target (HTTP_PROXY-style clients). */
export type UpstreamResolver = (
  runtime: Runtime,
  req: IncomingMessage,
  authority: string | undefined,
) => UpstreamRuntime | string;

export interface OutboundHandlerParams {
  readonly runtime: () => Runtime | undefined;
  readonly retryBufferBytes: number;
  /** Tags this proxy's events on the request channel. */
  readonly proxy: object;
  readonly sampleNewTrace: NewTraceSampler;
}

interface Routed {
  readonly upstream: UpstreamRuntime;
  readonly route: SnapshotRouteEntry;
  readonly stack: Dispatch;
  readonly path: string;
}

export function createOutboundHandler(params: OutboundHandlerParams, resolve: UpstreamResolver) {
  const routeOf = (req: IncomingMessage): Routed | ProxyError => {
    const runtime = params.runtime();
    if (runtime === undefined) return notReady();
    // The listener's guard has refused targets that do not parse; this keeps the handler total.
    const target = parseRequestTarget(req.url ?? '/');
    if (target === undefined) return badRequestTarget(req.url ?? '');
    const upstream = resolve(runtime, req, target.authority);
    if (typeof upstream === 'string') return unknownUpstream(upstream);
    const { path, pathname, search } = target;
    const route = matchRoute(
      upstream.entries,
      {
        method: req.method ?? 'GET',
        pathname,
        query: search === '' ? undefined : new URLSearchParams(search),
        headers: req.headers,
      },
      runtime.regexes,
    );
    const stack = route === undefined ? undefined : upstream.stacks.get(route);
    if (route === undefined || stack === undefined) return noRoute(upstream.upstream.service);
    return { upstream, route, stack, path };
  };

  const prepare = (
    req: IncomingMessage,
    routed: Routed,
    body: ProxyRequest['body'],
    startedAt: number,
  ): ProxyRequest => {
    const headers = endToEndHeaders(req.headers);
    const requestId = ensureRequestId(headers);
    const trace = continueTrace(headers, params.sampleNewTrace);
    if (routed.route.requestHeaders !== undefined)
      applyModifier(routed.route.requestHeaders)(headers);
    return {
      method: req.method ?? 'GET',
      path: routed.path,
      headers,
      body,
      context: {
        requestId,
        trace,
        startedAt,
        upstream: routed.upstream.upstream.service,
        route: routed.route,
        retries: 0,
      },
    };
  };

  const publish = (
    req: IncomingMessage,
    request: ProxyRequest | undefined,
    completion: Completion,
    startedAt: number,
  ) => {
    if (!channels.requestCompleted.hasSubscribers) return;
    channels.requestCompleted.publish({
      proxy: params.proxy,
      direction: 'outbound',
      req,
      requestId: request?.context.requestId,
      trace: request?.context.trace,
      peer: undefined,
      request,
      completion,
      upgrade: request?.upgrade !== undefined,
      startedAt,
      endedAt: performance.now(),
    });
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const startedAt = performance.now();
    const routed = routeOf(req);
    let request: ProxyRequest | undefined;
    const sink = (): ResponseHandler =>
      createResponseSink(res, {
        onComplete: (completion) => publish(req, request, completion, startedAt),
        ...(request?.context.route.responseHeaders && {
          extraHeaders: applyModifier(request.context.route.responseHeaders),
        }),
      });
    if (routed instanceof ProxyError) {
      req.resume();
      failRequest(sink(), routed);
      return;
    }
    let body: ProxyRequest['body'];
    try {
      body = await requestBody(req, routed.route.retry.attempts > 0 ? params.retryBufferBytes : 0);
    } catch {
      // The caller went away (or broke the framing) while a small body was being held.
      failRequest(sink(), clientGone());
      return;
    }
    request = prepare(req, routed, body, startedAt);
    routed.stack(request, sink());
  };

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const startedAt = performance.now();
    const routed = routeOf(req);
    let request: ProxyRequest | undefined;
    const sink = createUpgradeSink(socket, head, (status, reason) =>
      publish(
        req,
        request,
        { status, responseBytes: 0, ...(reason === undefined ? {} : { reason }) },
        startedAt,
      ),
    );
    if (routed instanceof ProxyError) {
      failRequest(sink, routed);
      return;
    }
    const prepared = prepare(req, routed, null, startedAt);
    request = { ...prepared, upgrade: String(req.headers.upgrade ?? 'websocket') };
    routed.stack(request, sink);
  };

  return { handleRequest, handleUpgrade };
}

function applyModifier(modifier: {
  set: readonly { name: string; value: string }[];
  add: readonly { name: string; value: string }[];
  remove: readonly string[];
}) {
  return (headers: HeaderMap) => {
    for (const { name, value } of modifier.set) headers[name] = value;
    for (const { name, value } of modifier.add) {
      const existing = headers[name];
      headers[name] =
        existing === undefined
          ? value
          : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    for (const name of modifier.remove) delete headers[name];
  };
}

/** For the HTTP-proxy port: the upstream named by the Host (or absolute URL), without port. */
export const resolveByHost: UpstreamResolver = (runtime, req, authority) => {
  const host = (authority ?? req.headers.host ?? '').toLowerCase();
  const name = host.replace(/:\d+$/, '');
  return runtime.byHost.get(name) ?? name;
};

export function resolveByLocalPort(port: number): UpstreamResolver {
  return (runtime) => runtime.byLocalPort.get(port) ?? `local port ${port}`;
}
