// The shape every layer of the request stacks shares: undici's dispatch contract, so the last
// layer (stack/forward.ts) hands the request to an undici Pool unchanged. Outbound stacks carry
// a ProxyRequest, the inbound stack an InboundRequest; both are a ForwardRequest.

import type { Readable } from 'node:stream';
import type { SnapshotRouteEntry } from '@weft/mesh-config';
import type { Dispatcher } from 'undici';
import type { HeaderMap, TraceContext } from '../http/headers.ts';

export type ResponseHandler = Dispatcher.DispatchHandler;
export type Controller = Dispatcher.DispatchController;

export interface RequestContext {
  readonly requestId: string;
  readonly trace: TraceContext;
  readonly startedAt: number;
  readonly upstream: string;
  readonly route: SnapshotRouteEntry;
  /** Set by the backend pick: the cluster this request goes to. */
  cluster?: string;
  /** Set by the balancer for each attempt: the endpoint's workload id. */
  endpoint?: string;
  retries: number;
  /** Set when an answer to this request got its endpoint ejected (for the access log's flags). */
  ejected?: boolean;
  /** Set when a copy of this request went to the mirror cluster. */
  mirrored?: boolean;
}

/** What the last layer sends: a request as undici takes it. */
export interface ForwardRequest {
  readonly method: string;
  /** Origin-form: path and query. */
  readonly path: string;
  readonly headers: HeaderMap;
  /** null or a Buffer can be sent again (retries, mirror); a stream is sent once. */
  readonly body: Buffer | Readable | null;
  /** The protocol asked for in Upgrade (e.g. "websocket"); the answer is then a joined socket. */
  readonly upgrade?: string | undefined;
}

/** An outbound request, from the local service to a peer proxy. */
export interface ProxyRequest extends ForwardRequest {
  readonly context: RequestContext;
}

/** An inbound request, from a peer proxy (or a plaintext caller) to the local service. */
export interface InboundRequest extends ForwardRequest {
  /** The path without its query string, as the access policy matches it. */
  readonly pathname: string;
  /** The caller's SPIFFE ID; undefined for plaintext in PERMISSIVE mode. */
  readonly peer: string | undefined;
  readonly requestId: string;
  readonly trace: TraceContext;
}

export type Dispatch<R extends ForwardRequest = ProxyRequest> = (
  request: R,
  handler: ResponseHandler,
) => void;
export type Layer<R extends ForwardRequest = ProxyRequest> = (next: Dispatch<R>) => Dispatch<R>;

/** Stacks layers top to bottom over the terminal dispatch: compose([a, b], t) is a(b(t)). */
export function compose<R extends ForwardRequest>(
  layers: readonly Layer<R>[],
  terminal: Dispatch<R>,
): Dispatch<R> {
  return layers.reduceRight<Dispatch<R>>((next, layer) => layer(next), terminal);
}

/** A controller for answers made here (errors, faults) rather than by an upstream. */
export class LocalController implements Controller {
  aborted = false;
  paused = false;
  reason: Error | null = null;
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  abort(reason: Error): void {
    this.aborted = true;
    this.reason = reason;
  }
}

export function failRequest(handler: ResponseHandler, error: Error): void {
  const controller = new LocalController();
  handler.onRequestStart?.(controller, {});
  handler.onResponseError?.(controller, error);
}
