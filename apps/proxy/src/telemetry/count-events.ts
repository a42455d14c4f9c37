// The proxy's events other than finished requests, subscribed in one place: each is counted in
// its Prometheus series, and the ones an operator should read about are logged. Always on (the
// request telemetry switch is only about finished requests: telemetry/request-observers.ts).

import type { Logger } from 'pino';
import type { ProxyConfig } from '../config/proxy-config.ts';
import type { ProxyMetrics } from '../metrics.ts';
import { channels } from './channels.ts';

export interface CountEventsParams {
  /** The tag this proxy's parts put on their events. */
  readonly proxy: object;
  readonly metrics: ProxyMetrics;
  readonly log: Logger;
  /** Named in the log lines: the connection limit, the access log file, the collector. */
  readonly config: Pick<ProxyConfig, 'limits' | 'accessLog' | 'tracing'>;
}

/** Subscribes; returns the unsubscribe. */
export function countEvents(params: CountEventsParams): () => void {
  const { proxy, metrics, log, config } = params;
  let accessLogErrors = 0;
  const onError = (error: unknown) => log.error({ err: error }, 'counting a proxy event failed');
  const subscriptions = [
    channels.retry.subscribe(
      proxy,
      ({ cluster, reason }) => metrics.retries.inc({ cluster, reason }),
      onError,
    ),
    channels.ejection.subscribe(
      proxy,
      ({ cluster, endpoint }) => {
        metrics.ejections.inc({ cluster });
        log.warn({ cluster, endpoint }, 'endpoint ejected by outlier detection');
      },
      onError,
    ),
    channels.overflow.subscribe(
      proxy,
      ({ cluster, limit }) => metrics.overflows.inc({ cluster, limit }),
      onError,
    ),
    channels.handshake.subscribe(
      proxy,
      ({ direction, resumed }) => metrics.handshakes.inc({ direction, resumed: String(resumed) }),
      onError,
    ),
    channels.tlsRejected.subscribe(
      proxy,
      ({ reason }) => metrics.rejections.inc({ reason }),
      onError,
    ),
    channels.connectionOpened.subscribe(
      proxy,
      ({ direction }) => metrics.connections.inc({ direction }),
      onError,
    ),
    channels.connectionClosed.subscribe(
      proxy,
      ({ direction }) => metrics.connections.dec({ direction }),
      onError,
    ),
    // Refusals at the listeners' HTTP edge: rare and cheap, counted where they happen.
    channels.httpRejected.subscribe(
      proxy,
      ({ direction, reason, code }) => {
        metrics.httpRejections.inc({ direction, reason });
        log.debug({ direction, reason, code }, 'request refused at the listener');
      },
      onError,
    ),
    channels.idleClosed.subscribe(
      proxy,
      ({ direction }) => metrics.idleClosed.inc({ direction }),
      onError,
    ),
    channels.connectionDropped.subscribe(
      proxy,
      ({ direction }) => {
        metrics.connectionLimitDrops.inc({ direction });
        log.debug(
          { direction, limit: config.limits.maxConnections },
          'connection over the limit closed',
        );
      },
      onError,
    ),
    channels.spansExported.subscribe(
      proxy,
      ({ spans }) => metrics.spansExported.inc(spans),
      onError,
    ),
    channels.spansDropped.subscribe(
      proxy,
      ({ spans, reason }) => metrics.spansDropped.inc({ reason }, spans),
      onError,
    ),
    channels.spanExportHealth.subscribe(
      proxy,
      ({ healthy, error }) => {
        const collector = config.tracing.otlpEndpoint;
        if (healthy) log.info({ collector }, 'span export works again');
        else
          log.warn(
            { err: error, collector },
            'cannot export spans; dropping them until the collector answers',
          );
      },
      onError,
    ),
    channels.accessLogDropped.subscribe(proxy, () => metrics.accessLogDropped.inc(), onError),
    channels.accessLogFailed.subscribe(
      proxy,
      ({ error }) => {
        // Once, not per line: a full disk would otherwise flood the proxy's own log.
        if (accessLogErrors++ === 0)
          log.error({ err: error, path: config.accessLog.path }, 'cannot write the access log');
      },
      onError,
    ),
    channels.snapshotApplied.subscribe(
      proxy,
      ({ version, hash, previousVersion, closedRevoked }) => {
        metrics.configInfo.reset();
        metrics.configInfo.set({ version, hash }, 1);
        log.info({ version, hash, previous: previousVersion }, 'snapshot applied');
        if (closedRevoked > 0)
          log.warn({ closed: closedRevoked }, 'closed connections of revoked certificates');
      },
      onError,
    ),
  ];
  return () => {
    for (const unsubscribe of subscriptions) unsubscribe();
  };
}
