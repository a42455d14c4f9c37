// The shape every layer of the request stack shares: undici's dispatch contract, so the last
// layer hands the request to an undici Pool unchanged.

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

export interface ProxyRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: HeaderMap;
  /** null or a Buffer can be sent again (retries, mirror); a stream is sent once. */
  readonly body: Buffer | Readable | null;
  /** The protocol asked for in Upgrade (e.g. "websocket"); the answer is then a joined socket. */
  readonly upgrade?: string;
  readonly context: RequestContext;
}

export type Dispatch = (request: ProxyRequest, handler: ResponseHandler) => void;
export type Layer = (next: Dispatch) => Dispatch;

/** Stacks layers top to bottom over the terminal dispatch: compose([a, b], t) is a(b(t)). */
export function compose(layers: readonly Layer[], terminal: Dispatch): Dispatch {
  return layers.reduceRight<Dispatch>((next, layer) => layer(next), terminal);
}

/** A controller for answers made here (errors, faults) rather than by an upstream. */
class LocalController implements Controller {
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
