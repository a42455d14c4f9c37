import type { SnapshotCluster } from '@weft/mesh-config';
import { afterAll, describe, expect, it } from 'vitest';
import { EndpointHealth } from '../health/endpoint-health.ts';
import { channels } from '../telemetry/channels.ts';
import { createBalance } from './balance.ts';
import { answering, fakeRequest, recordEvents, recordingHandler } from './layer-test-kit.ts';

const proxy = {};
const { events: ejections, stop } = recordEvents(channels.ejection, proxy);
afterAll(() => stop());

const OUTLIERS: SnapshotCluster['outlierDetection'] = {
  consecutive5xxErrors: 2,
  consecutiveGatewayErrors: 2,
  intervalMs: 10_000,
  baseEjectionTimeMs: 30_000,
  maxEjectionPercent: 50,
};

describe('balance', () => {
  it('ejects an endpoint after consecutive errors and sends the next requests elsewhere', () => {
    const bad = new EndpointHealth('server-1', '127.0.0.1', 1);
    const good = new EndpointHealth('server-2', '127.0.0.1', 2);
    const badStack = answering(500);
    const goodStack = answering(200);
    const balance = createBalance({
      cluster: 'server.shop',
      loadBalancer: 'roundRobin',
      outlierDetection: OUTLIERS,
      endpoints: [
        { health: bad, dispatch: badStack },
        { health: good, dispatch: goodStack },
      ],
      proxy,
    });
    const requests = Array.from({ length: 8 }, () => fakeRequest());
    for (const request of requests) balance(request, recordingHandler());
    expect(badStack.calls).toHaveLength(2);
    expect(goodStack.calls).toHaveLength(6);
    expect(ejections).toEqual([{ proxy, cluster: 'server.shop', endpoint: 'server-1' }]);
    expect(requests.filter((r) => r.context.ejected === true)).toHaveLength(1);
    expect(requests.map((r) => r.context.endpoint)).toContain('server-2');
    expect([bad.inFlight, good.inFlight]).toEqual([0, 0]);
  });

  it('answers 503 when the cluster has no endpoint', () => {
    const handler = recordingHandler();
    createBalance({
      cluster: 'server.shop',
      loadBalancer: 'leastRequest',
      outlierDetection: OUTLIERS,
      endpoints: [],
      proxy,
    })(fakeRequest(), handler);
    expect(handler.recorded.error).toMatchObject({ status: 503, reason: 'no-healthy-upstream' });
  });
});
