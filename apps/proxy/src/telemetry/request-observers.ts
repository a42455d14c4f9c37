// Everything one proxy does with a finished request, subscribed to the request channel in one
// place: Prometheus series, the traffic window for the controller (both directions), spans for
// the collector (when tracing is on), a line in the access log (when it is on).

import type { TrafficWindow } from '@weft/telemetry';
import type { Logger } from 'pino';
import { type AccessLog, openAccessLog } from '../access-log/access-log.ts';
import type { ProxyConfig } from '../config/proxy-config.ts';
import { type NewTraceSampler, SAMPLE_ALL } from '../http/headers.ts';
import { type ProxyMetrics, recordCompletion } from '../metrics.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { IdentityHolder } from '../tls/identity-holder.ts';
import { ratioSampler } from '../tracing/sampler.ts';
import { spanOf } from '../tracing/span.ts';
import { createSpanExporter, type SpanExporter } from '../tracing/span-exporter.ts';
import { channels } from './channels.ts';
import { recordInboundTraffic, recordTraffic } from './record-traffic.ts';
import type { LocalWorkload } from './request-events.ts';

export interface RequestObserversParams {
  /** The tag this proxy's handlers put on their events. */
  readonly proxy: object;
  readonly config: ProxyConfig;
  readonly metrics: ProxyMetrics;
  readonly traffic: TrafficWindow;
  readonly identity: IdentityHolder;
  readonly runtime: () => Runtime | undefined;
  readonly log: Logger;
}

export interface RequestObservers {
  /** How the handlers mark the traces they start: by sampleRatio when tracing, else sampled. */
  readonly sampleNewTrace: NewTraceSampler;
  /** Reopens the access log file (SIGHUP after logrotate). */
  reopen(): Promise<void>;
  /** Stops listening, sends the last spans, flushes the access log. */
  close(): Promise<void>;
}

/** With request telemetry off: nobody subscribes, so the handlers publish nothing. */
const RECORD_NOTHING: RequestObservers = {
  sampleNewTrace: SAMPLE_ALL,
  reopen: async () => undefined,
  close: async () => undefined,
};

export async function observeRequests(params: RequestObserversParams): Promise<RequestObservers> {
  const { config, metrics, traffic, log } = params;
  if (!config.requestTelemetry.enabled) return RECORD_NOTHING;
  const { workload, tracing } = config;
  const source = `${workload.namespace}/${workload.service}`;
  const local: LocalWorkload = {
    service: source,
    version: workload.version,
    versionOf: (cluster) => params.runtime()?.clusterVersions.get(cluster),
  };

  // Opened first: a file that cannot be opened stops the start before anything else runs.
  const accessLog: AccessLog | undefined = config.accessLog.enabled
    ? await openAccessLog({
        config: config.accessLog,
        local,
        self: () => params.identity.current().spiffeId,
        proxy: params.proxy,
      })
    : undefined;

  const exporter: SpanExporter | undefined =
    tracing.otlpEndpoint === undefined
      ? undefined
      : createSpanExporter({
          endpoint: tracing.otlpEndpoint,
          ...(tracing.headers === undefined ? {} : { headers: tracing.headers }),
          resource: {
            serviceName: tracing.serviceName ?? workload.service,
            serviceNamespace: workload.namespace,
            serviceInstanceId: workload.id,
            serviceVersion: workload.version,
          },
          maxBatchSpans: tracing.maxBatchSpans,
          flushIntervalMs: tracing.flushIntervalMs,
          maxQueueSpans: tracing.maxQueueSpans,
          exportTimeoutMs: tracing.exportTimeoutMs,
          proxy: params.proxy,
        });

  const unsubscribe = channels.requestCompleted.subscribe(
    params.proxy,
    (event) => {
      const durationMs = event.endedAt - event.startedAt;
      const request = event.request;
      if (event.direction === 'inbound') {
        recordCompletion(metrics, 'inbound', workload.service, event.completion, durationMs);
        recordInboundTraffic(traffic, local, event, durationMs);
      } else {
        const destination = request?.context.cluster ?? request?.context.upstream ?? 'unknown';
        recordCompletion(metrics, 'outbound', destination, event.completion, durationMs);
        if (request !== undefined)
          recordTraffic(traffic, source, request, event.completion, durationMs, params.runtime());
      }
      if (exporter !== undefined) {
        const span = spanOf(event, local);
        if (span !== undefined) exporter.add(span);
      }
      accessLog?.record(event);
    },
    (error) => log.error({ err: error }, 'recording a finished request failed'),
  );

  return {
    sampleNewTrace: exporter === undefined ? SAMPLE_ALL : ratioSampler(tracing.sampleRatio),
    reopen: async () => {
      try {
        await accessLog?.reopen();
      } catch (error) {
        log.error({ err: error, path: config.accessLog.path }, 'cannot reopen the access log');
      }
    },
    async close() {
      unsubscribe();
      await Promise.all([exporter?.shutdown(), accessLog?.close()]);
    },
  };
}
