// The proxy's own configuration file (proxy.yaml): who it is, where it listens, where its
// certificates and snapshot live. Routing comes from the snapshot, never from here.

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  API_VERSION,
  type ConfigIssue,
  loadTypedDocument,
  MeshConfigError,
} from '@weft/mesh-config';
import { z } from 'zod';
import {
  ACCESS_LOG_STDOUT,
  accessLogSchema,
  requestTelemetrySchema,
  tracingSchema,
} from './observability-config.ts';

export const DEFAULT_INBOUND_PORT = 15_443;
export const DEFAULT_ADMIN_PORT = 15_000;
export const DEFAULT_LISTEN_ADDRESS = '0.0.0.0';
export const LOOPBACK = '127.0.0.1';
/** Request bodies up to this size are kept so a retry can resend them; larger ones are not retried. */
export const DEFAULT_RETRY_BUFFER_BYTES = 64 * 1024;
/** Node's own default: a request head (target and header lines) larger than this gets 431. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
/** Slowloris guard: the TLS handshake, then each request head, must arrive within this time. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** A keep-alive connection with no request for this long is closed (node adds 1 s of grace). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/**
 * Open connections per listener: well above what one service's callers keep open, well below
 * the descriptors a process gets, so a flood of connections cannot starve the other listeners.
 */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
export const DEFAULT_TELEMETRY_INTERVAL_MS = 10_000;

const port = z.number().int().min(0).max(65_535);
const listener = (defaultAddress: string, defaultPort: number) =>
  z.strictObject({ address: z.string().default(defaultAddress), port: port.default(defaultPort) });

export const proxyConfigSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION, { error: `must be "${API_VERSION}"` }),
    kind: z.literal('ProxyConfig', { error: 'must be "ProxyConfig"' }),
    workload: z.strictObject({
      id: z.string().min(1),
      service: z.string().min(1),
      namespace: z.string().min(1).default('default'),
      version: z.string().optional(),
    }),
    inbound: listener(DEFAULT_LISTEN_ADDRESS, DEFAULT_INBOUND_PORT).default({
      address: DEFAULT_LISTEN_ADDRESS,
      port: DEFAULT_INBOUND_PORT,
    }),
    application: z.strictObject({ address: z.string().default(LOOPBACK), port }),
    outbound: z
      .strictObject({ address: z.string().default(LOOPBACK), httpProxyPort: port.optional() })
      .default({ address: LOOPBACK }),
    admin: listener(LOOPBACK, DEFAULT_ADMIN_PORT).default({
      address: LOOPBACK,
      port: DEFAULT_ADMIN_PORT,
    }),
    tls: z.strictObject({
      certFile: z.string(),
      keyFile: z.string(),
      trustBundleFile: z.string(),
    }),
    snapshotFile: z.string().optional(),
    /** With a controller: the proxy bootstraps with a join token, then watches for snapshots. */
    controller: z
      .strictObject({
        url: z.url({
          protocol: /^https$/,
          error: 'must be an https:// URL (the controller proxy API)',
        }),
        /** Verifies the controller at bootstrap, before the proxy holds a certificate of its own. */
        trustBundleFile: z.string(),
        /** The join token; WEFT_JOIN_TOKEN overrides it. Only read when no valid certificate is on disk. */
        joinTokenFile: z.string().optional(),
        /** Address other proxies reach this one at; defaults to inbound.address (127.0.0.1 for 0.0.0.0). */
        advertiseAddress: z.string().optional(),
        /** How often traffic telemetry is sent to the controller. */
        telemetryIntervalMs: z
          .number()
          .int()
          .min(100)
          .max(600_000)
          .default(DEFAULT_TELEMETRY_INTERVAL_MS),
      })
      .optional(),
    stateDir: z.string().optional(),
    limits: z
      .strictObject({
        retryBufferBytes: z.number().int().nonnegative().default(DEFAULT_RETRY_BUFFER_BYTES),
        maxHeaderBytes: z
          .number()
          .int()
          .min(1_024)
          .max(1024 * 1024)
          .default(DEFAULT_MAX_HEADER_BYTES),
        headersTimeoutMs: z
          .number()
          .int()
          .min(100)
          .max(600_000)
          .default(DEFAULT_HEADERS_TIMEOUT_MS),
        idleTimeoutMs: z.number().int().min(100).max(3_600_000).default(DEFAULT_IDLE_TIMEOUT_MS),
        maxConnections: z.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_CONNECTIONS),
      })
      .default({
        retryBufferBytes: DEFAULT_RETRY_BUFFER_BYTES,
        maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES,
        headersTimeoutMs: DEFAULT_HEADERS_TIMEOUT_MS,
        idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
        maxConnections: DEFAULT_MAX_CONNECTIONS,
      }),
    /** Spans to an OTLP/HTTP collector; off unless tracing.otlpEndpoint is set. */
    tracing: tracingSchema,
    /** One JSON line per (sampled) request; off unless accessLog.enabled. */
    accessLog: accessLogSchema,
    /** Per-request metrics, traffic telemetry, spans and access log; on by default. */
    requestTelemetry: requestTelemetrySchema,
  })
  .superRefine((config, context) => {
    if (config.requestTelemetry.enabled) return;
    // Spans and log lines are made from the per-request events that this turns off.
    const wanted = [
      ...(config.tracing.otlpEndpoint === undefined ? [] : ['tracing.otlpEndpoint']),
      ...(config.accessLog.enabled ? ['accessLog.enabled'] : []),
    ];
    if (wanted.length > 0) {
      context.addIssue({
        code: 'custom',
        path: ['requestTelemetry', 'enabled'],
        message: `is false, so ${wanted.join(' and ')} would record nothing: remove ${wanted.length > 1 ? 'them' : 'it'} or turn request telemetry on`,
      });
    }
  });

export type ProxyConfig = z.infer<typeof proxyConfigSchema>;

/** Reads proxy.yaml; relative paths in it are taken from the file's own folder. */
export async function loadProxyConfig(file: string): Promise<ProxyConfig> {
  const text = await readFile(file, 'utf8');
  const result = loadTypedDocument(file, text, proxyConfigSchema);
  if (!result.ok) throw new MeshConfigError(result.issues as ConfigIssue[]);
  const base = dirname(resolve(file));
  const config = result.value;
  return {
    ...config,
    tls: {
      certFile: resolve(base, config.tls.certFile),
      keyFile: resolve(base, config.tls.keyFile),
      trustBundleFile: resolve(base, config.tls.trustBundleFile),
    },
    ...(config.snapshotFile === undefined
      ? {}
      : { snapshotFile: resolve(base, config.snapshotFile) }),
    ...(config.controller === undefined
      ? {}
      : {
          controller: {
            ...config.controller,
            trustBundleFile: resolve(base, config.controller.trustBundleFile),
            ...(config.controller.joinTokenFile === undefined
              ? {}
              : { joinTokenFile: resolve(base, config.controller.joinTokenFile) }),
          },
        }),
    ...(config.stateDir === undefined ? {} : { stateDir: resolve(base, config.stateDir) }),
    accessLog: {
      ...config.accessLog,
      path:
        config.accessLog.path === ACCESS_LOG_STDOUT
          ? ACCESS_LOG_STDOUT
          : resolve(base, config.accessLog.path),
    },
  };
}
