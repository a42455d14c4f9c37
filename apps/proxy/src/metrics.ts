// The proxy's Prometheus metrics, in one registry served on the admin port.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets in seconds, fine below 10 ms where a sidecar's own cost lives. */
const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export type ProxyMetrics = ReturnType<typeof createProxyMetrics>;

export function createProxyMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    /** Labelled request series by label values; bounded by clusters x status classes x reasons. */
    requestSeries: new Map<string, RequestSeries>(),
    requests: new Counter({
      name: 'weft_requests_total',
      help: 'Requests handled, by direction, destination and response class',
      labelNames: ['direction', 'destination', 'status_class', 'reason'] as const,
      registers,
    }),
    latency: new Histogram({
      name: 'weft_request_duration_seconds',
      help: 'Time from request received to response complete',
      labelNames: ['direction', 'destination'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    retries: new Counter({
      name: 'weft_retries_total',
      help: 'Retries sent, by cluster and the condition that caused them',
      labelNames: ['cluster', 'reason'] as const,
      registers,
    }),
    ejections: new Counter({
      name: 'weft_outlier_ejections_total',
      help: 'Endpoints ejected by outlier detection',
      labelNames: ['cluster'] as const,
      registers,
    }),
    overflows: new Counter({
      name: 'weft_circuit_breaker_overflows_total',
      help: 'Requests failed fast by the circuit breaker or the local rate limit',
      labelNames: ['cluster', 'limit'] as const,
      registers,
    }),
    handshakes: new Counter({
      name: 'weft_tls_handshakes_total',
      help: 'Completed TLS handshakes, full or resumed',
      labelNames: ['direction', 'resumed'] as const,
      registers,
    }),
    rejections: new Counter({
      name: 'weft_tls_rejections_total',
      help: 'Inbound connections refused: bad, missing or revoked client certificate, plaintext in STRICT, handshake too slow',
      labelNames: ['reason'] as const,
      registers,
    }),
    httpRejections: new Counter({
      name: 'weft_http_rejections_total',
      help: 'Requests refused by a listener before routing: malformed, smuggling, head too large or too slow',
      labelNames: ['direction', 'reason'] as const,
      registers,
    }),
    connectionLimitDrops: new Counter({
      name: 'weft_connections_dropped_total',
      help: 'Connections closed on arrival because their listener had limits.maxConnections open',
      labelNames: ['direction'] as const,
      registers,
    }),
    idleClosed: new Counter({
      name: 'weft_idle_connections_closed_total',
      help: 'Keep-alive connections closed after limits.idleTimeoutMs without a request',
      labelNames: ['direction'] as const,
      registers,
    }),
    connections: new Gauge({
      name: 'weft_connections_active',
      help: 'Open inbound connections',
      labelNames: ['direction'] as const,
      registers,
    }),
    certificateExpiry: new Gauge({
      name: 'weft_certificate_expiry_seconds',
      help: 'Seconds until the proxy certificate expires',
      registers,
    }),
    spansExported: new Counter({
      name: 'weft_proxy_spans_exported_total',
      help: 'Spans accepted by the OTLP collector',
      registers,
    }),
    spansDropped: new Counter({
      name: 'weft_proxy_spans_dropped_total',
      help: 'Spans lost: queue full (collector slow or away), export failed, or refused by the collector',
      labelNames: ['reason'] as const,
      registers,
    }),
    accessLogDropped: new Counter({
      name: 'weft_proxy_access_log_dropped_total',
      help: 'Access log lines dropped because the destination could not keep up',
      registers,
    }),
    configInfo: new Gauge({
      name: 'weft_config_info',
      help: 'The applied snapshot (value 1), labelled with its version and hash',
      labelNames: ['version', 'hash'] as const,
      registers,
    }),
  };
}

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

type RequestSeries = {
  readonly count: { inc(): void };
  readonly latency: { observe(value: number): void };
};

/**
 * One finished request: counted by class and reason, and its latency observed. The labelled
 * series are looked up once per label set, not hashed on every request as prom-client would.
 */
export function recordCompletion(
  metrics: ProxyMetrics,
  direction: 'inbound' | 'outbound',
  destination: string,
  completion: { status: number; reason?: string },
  durationMs: number,
): void {
  const cache = metrics.requestSeries;
  const statusClassLabel = statusClass(completion.status);
  const reason = completion.reason ?? '';
  const key = `${direction} ${destination} ${statusClassLabel} ${reason}`;
  let series = cache.get(key);
  if (series === undefined) {
    series = {
      count: metrics.requests.labels({
        direction,
        destination,
        status_class: statusClassLabel,
        reason,
      }),
      latency: metrics.latency.labels({ direction, destination }),
    };
    cache.set(key, series);
  }
  series.count.inc();
  series.latency.observe(durationMs / 1_000);
}
