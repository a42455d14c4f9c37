// The controller's own /metrics: Prometheus text that parses, process metrics and
// weft_controller_* series that move with what the controller does (apply, bootstrap, watch,
// ACK, telemetry, compaction, API calls), one registry per controller, nothing secret.

import { TrafficWindow } from '@weft/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../src/cli/api-client.ts';
import type { RunningController } from '../src/controller.ts';
import { type AdminController, startAdminController } from './admin-controller.ts';
import { MESH } from './mesh-helpers.ts';
import { type Family, parsePrometheusText, sampleValue } from './prometheus-text.ts';
import { bootstrapProxy } from './proxy-api-client.ts';

async function scrape(controller: RunningController): Promise<Map<string, Family>> {
  const response = await fetch(`${controller.apiUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

describe('the exposition reader used here', () => {
  it('refuses what Prometheus would refuse', () => {
    const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 2\n';
    expect(sampleValue(parsePrometheusText(ok), 'a_total', { x: '1' })).toBe(2);
    for (const bad of [
      'a_total 1\n',
      '# TYPE a_total counter\na_total{x=1} 2\n',
      '# TYPE a_total counter\na_total two\n',
      '# TYPE a_total counter\n# TYPE a_total gauge\n',
      '# TYPE a_total counter\na_total 1',
    ]) {
      expect(() => parsePrometheusText(bad), bad).toThrow();
    }
  });
});

describe('controller /metrics', () => {
  let controller: RunningController;
  let admin: AdminController['admin'];

  beforeAll(async () => {
    ({ controller, admin } = await startAdminController('metrics'));
  });
  afterAll(async () => {
    await controller?.close();
  });

  it('serves parseable Prometheus text without credentials: process and controller metrics', async () => {
    const metrics = await scrape(controller);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(metrics.has(name), name).toBe(true);
    }
    const own = [...metrics.values()].filter((f) => f.name.startsWith('weft_controller_'));
    expect(own.map((f) => `${f.name} ${f.type}`).sort()).toEqual([
      'weft_controller_api_request_duration_seconds histogram',
      'weft_controller_api_requests_total counter',
      'weft_controller_ca_seconds_until_expiry gauge',
      'weft_controller_certificates_issued_total counter',
      'weft_controller_config_revision gauge',
      'weft_controller_proxies gauge',
      'weft_controller_snapshot_answers_total counter',
      'weft_controller_snapshots_compiled_total counter',
      'weft_controller_snapshots_published_total counter',
      'weft_controller_snapshots_sent_total counter',
      'weft_controller_telemetry_batches_total counter',
      'weft_controller_telemetry_compactions_total counter',
      'weft_controller_telemetry_rollups_compacted_total counter',
      'weft_controller_watch_streams gauge',
    ]);
    expect(own.every((f) => f.help.length > 0)).toBe(true);
    expect(sampleValue(metrics, 'weft_controller_config_revision')).toBe(0);
    expect(sampleValue(metrics, 'weft_controller_proxies', { sync_state: 'SYNCED' })).toBe(0);
    expect(sampleValue(metrics, 'weft_controller_watch_streams')).toBe(0);
    expect(sampleValue(metrics, 'weft_controller_snapshot_answers_total', { answer: 'ack' })).toBe(
      0,
    );
    // The controller's own serving certificate, issued at start.
    expect(
      sampleValue(metrics, 'weft_controller_certificates_issued_total', { kind: 'controller' }),
    ).toBe(1);
    const root = sampleValue(metrics, 'weft_controller_ca_seconds_until_expiry', { kind: 'root' });
    const intermediate = sampleValue(metrics, 'weft_controller_ca_seconds_until_expiry', {
      kind: 'intermediate',
    });
    expect(root).toBeGreaterThan(300 * 86_400);
    expect(intermediate).toBeGreaterThan(0);
    expect(intermediate).toBeLessThanOrEqual(root ?? 0);
  });

  it('moves with an apply, a bootstrap, a watch and its ACK, telemetry, compaction and API calls', async () => {
    const anonymous = apiClient({ server: controller.apiUrl });
    await anonymous.config.current.query().catch(() => undefined);
    await admin.config.applyYaml.mutate({ yaml: MESH(19_001, 90, 10), message: 'metrics' });
    const { token } = await admin.tokens.create.mutate({ service: 'server', namespace: 'shop' });
    const proxy = await bootstrapProxy({
      proxyApiUrl: controller.proxyApiUrl,
      trustBundleFile: controller.trustBundleFile,
      token,
      id: 'server-1',
      version: 'v1',
      port: 20_101,
    });
    const stream = await proxy.watch();
    try {
      const { snapshot } = stream;
      expect(
        (await proxy.post('/v1/ack', { version: snapshot.version, hash: snapshot.hash })).status,
      ).toBe(200);
      const window = new TrafficWindow();
      window.record(
        {
          reporter: 'source',
          source: 'shop/server',
          destination: 'shop/client',
          destinationVersion: '',
          route: 'default',
          statusClass: '2xx',
        },
        200,
        12,
        0,
        0,
      );
      const batch = window.drain('server-1', 1);
      expect((await proxy.post('/v1/telemetry', batch)).body).toEqual({ merged: true });
      expect((await proxy.post('/v1/telemetry', batch)).body).toEqual({ merged: false });
      await controller.services.telemetry.compact(new Date());

      const metrics = await scrape(controller);
      const value = (name: string, labels?: Record<string, string>) =>
        sampleValue(metrics, name, labels);
      expect(value('weft_controller_config_revision')).toBe(1);
      expect(
        value('weft_controller_api_requests_total', {
          procedure: 'config.applyYaml',
          outcome: 'ok',
        }),
      ).toBe(1);
      expect(
        value('weft_controller_api_requests_total', {
          procedure: 'config.current',
          outcome: 'UNAUTHORIZED',
        }),
      ).toBe(1);
      expect(
        value('weft_controller_api_request_duration_seconds_count', {
          procedure: 'config.applyYaml',
        }),
      ).toBe(1);
      expect(value('weft_controller_certificates_issued_total', { kind: 'workload' })).toBe(1);
      expect(value('weft_controller_watch_streams')).toBe(1);
      expect(value('weft_controller_snapshots_published_total')).toBeGreaterThanOrEqual(1);
      expect(value('weft_controller_snapshots_compiled_total')).toBeGreaterThanOrEqual(1);
      expect(value('weft_controller_snapshots_sent_total')).toBeGreaterThanOrEqual(1);
      expect(value('weft_controller_snapshot_answers_total', { answer: 'ack' })).toBe(1);
      expect(value('weft_controller_proxies', { sync_state: 'SYNCED' })).toBe(1);
      expect(value('weft_controller_telemetry_batches_total', { result: 'merged' })).toBe(1);
      expect(value('weft_controller_telemetry_batches_total', { result: 'duplicate' })).toBe(1);
      expect(value('weft_controller_telemetry_compactions_total', { result: 'ok' })).toBe(1);
    } finally {
      stream.close();
    }
  });

  it('says nothing secret: no identities, serials or tokens', async () => {
    const text = await (await fetch(`${controller.apiUrl}/metrics`)).text();
    const [certificate] = await admin.certificates.list.query({ kind: 'LEAF' });
    expect(text).not.toContain('spiffe://');
    expect(text).not.toContain(certificate?.serial ?? 'no serial');
    expect(text).not.toContain('weft_join');
    expect(text).not.toContain('server-1');
  });

  it('keeps one registry per controller: a second one in this process counts only its own', async () => {
    const { controller: other } = await startAdminController('metrics-other');
    try {
      const metrics = await scrape(other);
      expect(
        sampleValue(metrics, 'weft_controller_certificates_issued_total', { kind: 'workload' }),
      ).toBe(0);
      expect(
        sampleValue(metrics, 'weft_controller_telemetry_batches_total', { result: 'merged' }),
      ).toBe(0);
      expect(
        sampleValue(metrics, 'weft_controller_api_requests_total', {
          procedure: 'config.applyYaml',
          outcome: 'ok',
        }),
      ).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});
