// The access log: one JSON line per sampled request, written by pino to an asynchronous
// destination (stdout or a file) so that the request path never waits on a disk or a pipe.
// When the destination falls behind, lines are dropped and counted rather than held without end
// (published on the proxy's channels, as a failing destination is).

import { once } from 'node:events';
import { MeshError } from '@weft/errors';
import { UNAUTHENTICATED_SOURCE } from '@weft/telemetry';
import { pino } from 'pino';
import { ACCESS_LOG_STDOUT, type AccessLogConfig } from '../config/observability-config.ts';
import { type CompletedRequest, channels } from '../telemetry/channels.ts';
import {
  destinationService,
  destinationVersion,
  type LocalWorkload,
  pathOf,
  requestBytes,
} from '../telemetry/request-events.ts';

/** Lines waiting for the destination, at most; beyond it they are dropped (about 20k lines). */
export const ACCESS_LOG_MAX_BUFFER_BYTES = 8 * 1024 * 1024;
/**
 * Lines are written once this much has gathered (or on the timer below): one write per ~20
 * lines instead of one per request saves a few microseconds of CPU per line at moderate rates.
 */
export const ACCESS_LOG_WRITE_BYTES = 8 * 1024;
/** The longest a line waits to be written when traffic is light. */
export const ACCESS_LOG_FLUSH_INTERVAL_MS = 1_000;
const STDOUT_FD = 1;

export interface AccessLogParams {
  readonly config: AccessLogConfig;
  /** The destination of inbound requests, and cluster versions for outbound ones. */
  readonly local: LocalWorkload;
  /** This proxy's SPIFFE ID: the source of outbound requests (it changes only on rotation). */
  readonly self: () => string;
  readonly random?: () => number;
  /** Tags the access log's events: lines dropped, the destination failing. */
  readonly proxy: object;
}

export interface AccessLog {
  record(event: CompletedRequest): void;
  /** Writes what is gathered, then reopens the file (after logrotate moved it); not for stdout. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the destination; a file that cannot be opened fails here, at start, not per request. */
export async function openAccessLog(params: AccessLogParams): Promise<AccessLog> {
  const { config, local } = params;
  const toStdout = config.path === ACCESS_LOG_STDOUT;
  const destination = pino.destination({
    dest: toStdout ? STDOUT_FD : config.path,
    sync: false,
    mkdir: !toStdout,
    minLength: ACCESS_LOG_WRITE_BYTES,
    periodicFlush: ACCESS_LOG_FLUSH_INTERVAL_MS,
    maxLength: ACCESS_LOG_MAX_BUFFER_BYTES,
  });
  try {
    await once(destination, 'ready');
  } catch (error) {
    throw new MeshError(
      'MESH_ERR_ACCESS_LOG',
      `cannot open the access log ${config.path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const { proxy } = params;
  const dropped = Object.freeze({ proxy });
  destination.on('drop', () => channels.accessLogDropped.publish(dropped));
  destination.on('error', (error: unknown) => channels.accessLogFailed.publish({ proxy, error }));
  const logger = pino(
    {
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      // In place of a level (every line would say "info"): tells access lines apart from the
      // proxy's own log when both go to stdout.
      formatters: { level: () => ({ log: 'access' }) },
    },
    destination,
  );
  const random = params.random ?? Math.random;
  const ratio = config.sampleRatio;

  return {
    record(event) {
      if (ratio < 1 && !(random() < ratio)) return;
      const context = event.request?.context;
      const inbound = event.direction === 'inbound';
      logger.info({
        requestId: event.requestId ?? headerValue(event.req.headers['x-request-id']),
        traceId: event.trace?.traceId ?? null,
        spanId: event.trace?.spanId ?? null,
        direction: event.direction,
        source: inbound ? (event.peer ?? UNAUTHENTICATED_SOURCE) : params.self(),
        destination: destinationService(event, local) ?? null,
        version: destinationVersion(event, local) ?? null,
        route: context?.route.source ?? null,
        method: event.req.method ?? 'GET',
        path: pathOf(event),
        status: event.completion.status,
        durationMs: Math.round((event.endedAt - event.startedAt) * 1_000) / 1_000,
        requestBytes: requestBytes(event) ?? null,
        responseBytes: event.completion.responseBytes,
        retries: context?.retries ?? 0,
        flags: flagsOf(event),
      });
    },
    reopen() {
      if (toStdout) return Promise.resolve();
      return new Promise<void>((resolve) => {
        // Lines gathered so far belong to the file that was moved away. A failure to open the
        // new one reaches onError; the promise settles either way.
        destination.flush(() => {
          const settle = () => {
            destination.off('ready', settle);
            destination.off('error', settle);
            resolve();
          };
          destination.on('ready', settle);
          destination.on('error', settle);
          destination.reopen();
        });
      });
    },
    async close() {
      const closed = once(destination, 'close');
      destination.end();
      await closed;
    },
  };
}

/**
 * What happened besides the status: the x-weft-error reason (rate-limited, circuit-open,
 * upstream-timeout...), "ejected" when this request's answer got its endpoint ejected, "mirror"
 * when a copy went to the mirror cluster, "upgrade" for a protocol upgrade.
 */
function flagsOf(event: CompletedRequest): string[] {
  const flags: string[] = [];
  const context = event.request?.context;
  if (event.completion.reason !== undefined) flags.push(event.completion.reason);
  if (context?.ejected === true) flags.push('ejected');
  if (context?.mirrored === true) flags.push('mirror');
  if (event.upgrade) flags.push('upgrade');
  return flags;
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}
