import { afterAll, describe, expect, it } from 'vitest';
import { channels } from '../telemetry/channels.ts';
import { answering, fakeRequest, recordEvents, recordingHandler } from './layer-test-kit.ts';
import { createRateLimitLayer } from './rate-limit.ts';

const proxy = {};
const { events: overflows, stop } = recordEvents(channels.overflow, proxy);
afterAll(() => stop());

describe('rate limit layer', () => {
  it('lets a burst through, answers 429 beyond it, and refills at the rate', () => {
    let now = 0;
    const next = answering(200);
    const limit = createRateLimitLayer({
      cluster: 'server.shop',
      requestsPerSecond: 2,
      burst: 2,
      proxy,
      now: () => now,
    })(next);
    const send = () => {
      const handler = recordingHandler();
      limit(fakeRequest(), handler);
      return handler.recorded.status ?? handler.recorded.error;
    };
    expect([send(), send()]).toEqual([200, 200]);
    expect(send()).toMatchObject({ status: 429, reason: 'rate-limited' });
    expect(overflows).toEqual([{ proxy, cluster: 'server.shop', limit: 'rate-limit' }]);
    now += 500;
    expect([send(), send()]).toEqual([200, expect.objectContaining({ status: 429 })]);
    expect(next.calls).toHaveLength(3);
  });
});
