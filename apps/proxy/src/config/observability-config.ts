// The tracing and access-log sections of proxy.yaml: both off unless asked for, every default a
// named constant with its unit, every refusal naming the field and the range it wants.

import { z } from 'zod';

/** Share of new traces this proxy records; a caller's sampled flag always wins when it continues one. */
export const DEFAULT_TRACE_SAMPLE_RATIO = 0.01;
/** Spans per OTLP request (the OpenTelemetry batch span processor's default). */
export const DEFAULT_TRACE_BATCH_SPANS = 512;
/** How often the queued spans are sent when a batch has not filled up first. */
export const DEFAULT_TRACE_FLUSH_INTERVAL_MS = 5_000;
/** Spans held while the collector is slow or away; more are dropped and counted (~0.5 KB each). */
export const DEFAULT_TRACE_QUEUE_SPANS = 2_048;
/** One export's deadline, connection included; shorter than OpenTelemetry's 30 s because
 * shutdown waits for the last export. */
export const DEFAULT_TRACE_EXPORT_TIMEOUT_MS = 10_000;
export const MIN_TRACE_FLUSH_INTERVAL_MS = 10;
export const MAX_TRACE_FLUSH_INTERVAL_MS = 60_000;
export const MAX_TRACE_QUEUE_SPANS = 1_000_000;
export const MAX_TRACE_EXPORT_TIMEOUT_MS = 60_000;

/** When enabled, every request is logged unless a smaller share is asked for. */
export const DEFAULT_ACCESS_LOG_SAMPLE_RATIO = 1;
/** `stdout`, or a file path (relative to the config file). */
export const ACCESS_LOG_STDOUT = 'stdout';

const ratio = z
  .number({ error: 'must be a number from 0 to 1' })
  .min(0, { error: 'must be a number from 0 to 1' })
  .max(1, { error: 'must be a number from 0 to 1' });

const integerIn = (min: number, max: number, unit: string) =>
  z
    .number({ error: `must be an integer from ${min} to ${max} ${unit}` })
    .int({ error: `must be an integer from ${min} to ${max} ${unit}` })
    .min(min, { error: `must be an integer from ${min} to ${max} ${unit}` })
    .max(max, { error: `must be an integer from ${min} to ${max} ${unit}` });

export const tracingSchema = z
  .strictObject({
    /** OTLP/HTTP collector base URL (spans go to <url>/v1/traces); tracing is off without it. */
    otlpEndpoint: z
      .url({
        protocol: /^https?$/,
        error: 'must be an http:// or https:// URL (an OTLP/HTTP collector, e.g. :4318)',
      })
      .optional(),
    /** Extra headers on every export, e.g. a collector's API key. */
    headers: z.record(z.string(), z.string()).optional(),
    sampleRatio: ratio.default(DEFAULT_TRACE_SAMPLE_RATIO),
    /** The spans' service.name; the workload's service by default. */
    serviceName: z.string().min(1, { error: 'must not be empty' }).optional(),
    maxBatchSpans: integerIn(1, MAX_TRACE_QUEUE_SPANS, 'spans').default(DEFAULT_TRACE_BATCH_SPANS),
    flushIntervalMs: integerIn(
      MIN_TRACE_FLUSH_INTERVAL_MS,
      MAX_TRACE_FLUSH_INTERVAL_MS,
      'ms',
    ).default(DEFAULT_TRACE_FLUSH_INTERVAL_MS),
    maxQueueSpans: integerIn(1, MAX_TRACE_QUEUE_SPANS, 'spans').default(DEFAULT_TRACE_QUEUE_SPANS),
    exportTimeoutMs: integerIn(1, MAX_TRACE_EXPORT_TIMEOUT_MS, 'ms').default(
      DEFAULT_TRACE_EXPORT_TIMEOUT_MS,
    ),
  })
  .superRefine((tracing, context) => {
    if (tracing.maxBatchSpans > tracing.maxQueueSpans) {
      context.addIssue({
        code: 'custom',
        path: ['maxBatchSpans'],
        message: `must not exceed maxQueueSpans (${tracing.maxQueueSpans}): a batch is taken from the queue`,
      });
    }
  })
  .prefault({});

export const accessLogSchema = z
  .strictObject({
    enabled: z.boolean({ error: 'must be true or false' }).default(false),
    sampleRatio: ratio.default(DEFAULT_ACCESS_LOG_SAMPLE_RATIO),
    path: z
      .string()
      .min(1, { error: 'must be "stdout" or a file path' })
      .default(ACCESS_LOG_STDOUT),
  })
  .prefault({});

/**
 * Per-request recording as a whole: the request series on /metrics, the traffic telemetry the
 * controller's figures come from, spans and the access log. On unless turned off; off, the
 * request path publishes nothing (what bench:mesh-path --telemetry compare measures against).
 */
export const requestTelemetrySchema = z
  .strictObject({
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
  })
  .prefault({});

export type TracingConfig = z.infer<typeof tracingSchema>;
export type AccessLogConfig = z.infer<typeof accessLogSchema>;
