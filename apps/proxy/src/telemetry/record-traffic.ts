// Feeds each finished outbound request into the telemetry window: who called whom, which
// version answered, by which route, how it ended, how long it took.

import type { TrafficWindow } from '@weft/telemetry';
import { statusClass } from '../metrics.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { ProxyRequest } from '../stack/dispatch.ts';
import type { Completion } from '../stack/response-sink.ts';

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
