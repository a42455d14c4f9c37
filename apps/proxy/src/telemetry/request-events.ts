// What subscribers of the request-completed channel (telemetry/channels.ts) read from an event:
// the destination, its version, the path as the upstream saw it, the body's size.

import type { CompletedRequest } from './channels.ts';

/** What subscribers know of this proxy, to name the destination of a request. */
export interface LocalWorkload {
  /** "shop/catalog": the destination of inbound requests. */
  readonly service: string;
  readonly version: string | undefined;
  /** An outbound cluster's version label ("" or undefined for a whole-service cluster). */
  readonly versionOf: (cluster: string) => string | undefined;
}

/** The destination service: this proxy's for inbound, the upstream for outbound (if routed). */
export function destinationService(
  event: CompletedRequest,
  local: LocalWorkload,
): string | undefined {
  return event.direction === 'inbound' ? local.service : event.request?.context.upstream;
}

export function destinationVersion(
  event: CompletedRequest,
  local: LocalWorkload,
): string | undefined {
  if (event.direction === 'inbound') return local.version;
  const cluster = event.request?.context.cluster;
  return (cluster === undefined ? undefined : local.versionOf(cluster)) || undefined;
}

/** The request path without its query string (which may hold secrets), as the upstream saw it. */
export function pathOf(event: CompletedRequest): string {
  const target = event.request?.path ?? event.req.url ?? '/';
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (path.startsWith('/')) return path;
  // Absolute-form from an HTTP_PROXY-style client that was refused before routing.
  return URL.canParse(path) ? new URL(path).pathname : path;
}

/** The bytes of the request body, when known without counting a stream. */
export function requestBytes(event: CompletedRequest): number | undefined {
  const body = event.request?.body;
  if (Buffer.isBuffer(body)) return body.length;
  const length = event.req.headers['content-length'];
  if (length !== undefined) return Number(length);
  return event.req.headers['transfer-encoding'] === undefined ? 0 : undefined;
}
