// Feeds each finished request into the telemetry window: who called whom, which version answered,
// by which route, how it ended, how long it took. Outbound calls are reported from the caller's
// side; inbound ones from the callee's, with the caller as its verified certificate names it.

import { type TrafficWindow, UNAUTHENTICATED_SOURCE } from '@weft/telemetry';
import { statusClass } from '../metrics.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { ProxyRequest } from '../stack/dispatch.ts';
import type { Completion } from '../stack/response-sink.ts';
import type { CompletedRequest } from './channels.ts';
import { type LocalWorkload, requestBytes } from './request-events.ts';

/** The mesh's SPIFFE path, `/ns/<namespace>/sa/<service>`, after the trust domain. */
const MESH_IDENTITY = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/;

export function recordTraffic(
  traffic: TrafficWindow,
  source: string,
  request: ProxyRequest,
  completion: Completion,
  durationMs: number,
  runtime: Runtime | undefined,
): void {
  const cluster = request.context.cluster ?? '';
  const body = request.body;
  traffic.record(
    {
      reporter: 'source',
      source,
      destination: request.context.upstream,
      destinationVersion: runtime?.clusterVersions.get(cluster) ?? '',
      route: request.context.route.source,
      statusClass: statusClass(completion.status),
    },
    completion.status,
    durationMs,
    Buffer.isBuffer(body) ? body.length : Number(request.headers['content-length'] ?? 0),
    completion.responseBytes,
  );
}

/**
 * A request this proxy's service answered. The route is the caller's to know, so it is left
 * empty; the caller is the workload of its certificate ("unauthenticated" for plaintext in
 * PERMISSIVE mode, the SPIFFE ID itself when it is not one of the mesh's).
 */
export function recordInboundTraffic(
  traffic: TrafficWindow,
  local: LocalWorkload,
  event: CompletedRequest,
  durationMs: number,
): void {
  traffic.record(
    {
      reporter: 'destination',
      source: event.peer === undefined ? UNAUTHENTICATED_SOURCE : workloadOf(event.peer),
      destination: local.service,
      destinationVersion: local.version ?? '',
      route: '',
      statusClass: statusClass(event.completion.status),
    },
    event.completion.status,
    durationMs,
    requestBytes(event) ?? 0,
    event.completion.responseBytes,
  );
}

function workloadOf(spiffeId: string): string {
  const match = MESH_IDENTITY.exec(spiffeId);
  return match === null ? spiffeId : `${match[1]}/${match[2]}`;
}
