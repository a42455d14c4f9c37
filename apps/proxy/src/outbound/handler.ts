// Outbound requests from the local service: find the upstream (by local port or by Host), match
// a route entry, prepare headers and body, and run the entry's stack into the caller's response.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { noRoute, notReady, unknownUpstream } from '../errors.ts';
import {
  continueTrace,
  endToEndHeaders,
  ensureRequestId,
  type HeaderMap,
} from '../http/headers.ts';
import { requestBody } from '../http/request-body.ts';
import type { Runtime, UpstreamRuntime } from '../runtime/runtime.ts';
import { failRequest, type ProxyRequest } from '../stack/dispatch.ts';
import { type Completion, createResponseSink } from '../stack/response-sink.ts';
import { matchRoute } from './logical/route-match.ts';

export type UpstreamResolver = (runtime: Runtime, req: IncomingMessage) => UpstreamRuntime | string;

export interface OutboundHandlerParams {
  readonly runtime: () => Runtime | undefined;
  readonly retryBufferBytes: number;
  readonly onComplete: (
    completion: Completion,
    request: ProxyRequest | undefined,
    startedAt: number,
  ) => void;
}

export function createOutboundHandler(params: OutboundHandlerParams, resolve: UpstreamResolver) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const startedAt = performance.now();
    let request: ProxyRequest | undefined;
    const sink = () =>
      createResponseSink(res, {
        onComplete: (completion) => params.onComplete(completion, request, startedAt),
        ...(request?.context.route.responseHeaders && {
          extraHeaders: applyModifier(request.context.route.responseHeaders),
        }),
      });
    const runtime = params.runtime();
    if (runtime === undefined) {
      req.resume();
      failRequest(sink(), notReady());
      return;
    }
    const upstream = resolve(runtime, req);
    if (typeof upstream === 'string') {
      req.resume();
      failRequest(sink(), unknownUpstream(upstream));
      return;
    }
    const { path, pathname, search } = splitTarget(req.url ?? '/');
    const method = req.method ?? 'GET';
    const route = matchRoute(
      upstream.entries,
      {
        method,
        pathname,
        query: search === '' ? undefined : new URLSearchParams(search),
        headers: req.headers,
      },
      runtime.regexes,
    );
    if (route === undefined) {
      req.resume();
      failRequest(sink(), noRoute(upstream.upstream.service));
      return;
    }
    const headers = endToEndHeaders(req.headers);
    const requestId = ensureRequestId(headers);
    const trace = continueTrace(headers);
    if (route.requestHeaders !== undefined) applyModifier(route.requestHeaders)(headers);
    const body = await requestBody(req, route.retry.attempts > 0 ? params.retryBufferBytes : 0);
    request = {
      method,
      path,
      headers,
      body,
      context: {
        requestId,
        trace,
        startedAt,
        upstream: upstream.upstream.service,
        route,
        retries: 0,
      },
    };
    const stack = upstream.stacks.get(route);
    if (stack !== undefined) stack(request, sink());
  };
}

/** Origin-form as is; absolute-form (HTTP_PROXY clients) reduced to its path and query. */
function splitTarget(target: string): { path: string; pathname: string; search: string } {
  let path = target;
  if (!target.startsWith('/')) {
    const url = new URL(target);
    path = `${url.pathname}${url.search}`;
  }
  const query = path.indexOf('?');
  return query === -1
    ? { path, pathname: path, search: '' }
    : { path, pathname: path.slice(0, query), search: path.slice(query + 1) };
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
export const resolveByHost: UpstreamResolver = (runtime, req) => {
  const target = req.url ?? '/';
  const host = (
    target.startsWith('/') ? (req.headers.host ?? '') : new URL(target).host
  ).toLowerCase();
  const name = host.replace(/:\d+$/, '');
  return runtime.byHost.get(name) ?? name;
};

export function resolveByLocalPort(port: number): UpstreamResolver {
  return (runtime) => runtime.byLocalPort.get(port) ?? `local port ${port}`;
}
