// The tracing, accessLog and requestTelemetry sections of proxy.yaml: tracing and the log off by
// default, and every refusal names the
// field, from a real file as the proxy reads it at start.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeshConfigError } from '@weft/mesh-config';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRACE_BATCH_SPANS,
  DEFAULT_TRACE_FLUSH_INTERVAL_MS,
  DEFAULT_TRACE_SAMPLE_RATIO,
} from './observability-config.ts';
import { loadProxyConfig } from './proxy-config.ts';

const BASE = `apiVersion: weft.dev/v1alpha1
kind: ProxyConfig
workload: { id: catalog-1, service: catalog, namespace: shop }
application: { port: 8080 }
tls: { certFile: c.pem, keyFile: k.pem, trustBundleFile: ca.pem }
`;

async function load(extra: string) {
  const dir = await mkdtemp(join(tmpdir(), 'weft-proxy-config-'));
  const file = join(dir, 'proxy.yaml');
  await writeFile(file, `${BASE}${extra}`);
  return { dir, file, result: loadProxyConfig(file) };
}

async function issues(extra: string) {
  const { result } = await load(extra);
  const error = await result.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MeshConfigError);
  return (error as MeshConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe('tracing and accessLog configuration', () => {
  it('leaves both off by default, with documented defaults', async () => {
    const config = await (await load('')).result;
    expect(config.tracing).toEqual({
      sampleRatio: DEFAULT_TRACE_SAMPLE_RATIO,
      maxBatchSpans: DEFAULT_TRACE_BATCH_SPANS,
      flushIntervalMs: DEFAULT_TRACE_FLUSH_INTERVAL_MS,
      maxQueueSpans: 2_048,
      exportTimeoutMs: 10_000,
    });
    expect(config.accessLog).toEqual({ enabled: false, sampleRatio: 1, path: 'stdout' });
  });

  it('reads a collector and an access log file relative to the config file', async () => {
    const { dir, result } = await load(`tracing:
  otlpEndpoint: http://127.0.0.1:4318
  sampleRatio: 0.5
  headers: { x-api-key: secret }
accessLog: { enabled: true, path: logs/access.log }
`);
    const config = await result;
    expect(config.tracing.otlpEndpoint).toBe('http://127.0.0.1:4318');
    expect(config.tracing.sampleRatio).toBe(0.5);
    expect(config.tracing.headers).toEqual({ 'x-api-key': 'secret' });
    expect(config.accessLog).toEqual({
      enabled: true,
      sampleRatio: 1,
      path: join(dir, 'logs/access.log'),
    });
  });

  it('names the field of every refusal', async () => {
    expect(
      await issues(`tracing:
  otlpEndpoint: grpc://collector:4317
  sampleRatio: 2
  flushIntervalMs: 1
  maxQueueSpans: 0.5
  endpoint: x
accessLog: { enabled: "yes", sampleRatio: -1, path: "" }
`),
    ).toEqual([
      'tracing.otlpEndpoint: must be an http:// or https:// URL (an OTLP/HTTP collector, e.g. :4318), got "grpc://collector:4317"',
      'tracing.sampleRatio: must be a number from 0 to 1, got 2',
      'tracing.flushIntervalMs: must be an integer from 10 to 60000 ms, got 1',
      'tracing.maxQueueSpans: must be an integer from 1 to 1000000 spans, got 0.5',
      'tracing.endpoint: unknown field',
      'accessLog.enabled: must be true or false, got "yes"',
      'accessLog.sampleRatio: must be a number from 0 to 1, got -1',
      'accessLog.path: must be "stdout" or a file path, got ""',
    ]);
  });

  it('records per request by default, and refuses tracing or a log it could not feed', async () => {
    expect((await (await load('')).result).requestTelemetry).toEqual({ enabled: true });
    expect(
      (await (await load('requestTelemetry: { enabled: false }\n')).result).requestTelemetry,
    ).toEqual({ enabled: false });
    expect(
      await issues(`requestTelemetry: { enabled: false }
tracing: { otlpEndpoint: http://127.0.0.1:4318 }
accessLog: { enabled: true }
`),
    ).toEqual([
      'requestTelemetry.enabled: is false, so tracing.otlpEndpoint and accessLog.enabled would record nothing: remove them or turn request telemetry on',
    ]);
  });

  it('refuses a batch larger than the queue it is taken from', async () => {
    expect(await issues('tracing: { maxBatchSpans: 100, maxQueueSpans: 10 }\n')).toEqual([
      'tracing.maxBatchSpans: must not exceed maxQueueSpans (10): a batch is taken from the queue',
    ]);
  });
});
