import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connectFailure, upstreamReset } from '../errors.ts';
import { channels } from '../telemetry/channels.ts';
import {
  answering,
  failing,
  fakeRequest,
  NO_RETRY,
  recordEvents,
  recordingHandler,
} from './layer-test-kit.ts';
import { createRetryLayer } from './retry.ts';
import { RetryBudget } from './retry-budget.ts';

const proxy = {};
const { events: retries, stop } = recordEvents(channels.retry, proxy);
afterEach(() => {
  retries.length = 0;
});
afterAll(() => stop());

const layer = (policy: Partial<typeof NO_RETRY>) =>
  createRetryLayer({
    policy: { ...NO_RETRY, attempts: 2, retryOn: ['5xx', 'connect-failure'], ...policy },
    budget: new RetryBudget(20),
    proxy,
    random: () => 0,
  });

describe('retry layer', () => {
  it('retries a failed idempotent request and hides the failed answer from the caller', async () => {
    const next = answering((attempt) => (attempt === 1 ? 503 : 200));
    const handler = recordingHandler();
    const request = fakeRequest({ context: { cluster: 'server.shop' } });
    layer({})(next)(request, handler);
    await handler.recorded.done;
    expect(handler.recorded.status).toBe(200);
    expect(handler.recorded.body).toBe('2');
    expect(request.context.retries).toBe(1);
    expect(retries).toEqual([{ proxy, cluster: 'server.shop', reason: 'status' }]);
  });

  it('stops at the attempts allowed and hands the last failure over', async () => {
    const next = failing(connectFailure(new Error('ECONNREFUSED')));
    const handler = recordingHandler();
    layer({})(next)(fakeRequest(), handler);
    await handler.recorded.done;
    expect(next.calls).toHaveLength(3);
    expect(handler.recorded.error).toMatchObject({ reason: 'upstream-connect-failure' });
    expect(retries.map((r) => r.reason)).toEqual([
      'upstream-connect-failure',
      'upstream-connect-failure',
    ]);
  });

  it('never retries what is not safe to send twice, nor a condition not asked for', async () => {
    const post = answering(503);
    const handler = recordingHandler();
    layer({})(post)(fakeRequest({ method: 'POST', body: Buffer.from('x') }), handler);
    expect(handler.recorded.status).toBe(503);
    expect(post.calls).toHaveLength(1);

    const reset = failing(upstreamReset(new Error('ECONNRESET')));
    const second = recordingHandler();
    layer({})(reset)(fakeRequest(), second);
    expect(second.recorded.error).toMatchObject({ reason: 'upstream-reset' });
    expect(reset.calls).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('refuses a negative number of attempts', () => {
    expect(() => layer({ attempts: -1 })).toThrow(RangeError);
  });
});
