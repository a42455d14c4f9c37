import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { channels } from '../telemetry/channels.ts';
import { createBreakerLayer } from './breaker.ts';
import { type Dispatch, LocalController, type ResponseHandler } from './dispatch.ts';
import { fakeRequest, recordEvents, recordingHandler } from './layer-test-kit.ts';

const proxy = {};
const { events: overflows, stop } = recordEvents(channels.overflow, proxy);
afterEach(() => {
  overflows.length = 0;
});
afterAll(() => stop());

/** A next whose requests stay in flight until answered by hand. */
function held(): Dispatch & { answer(status: number): void } {
  const waiting: ResponseHandler[] = [];
  const dispatch: Dispatch = (_request, handler) => {
    handler.onRequestStart?.(new LocalController(), {});
    waiting.push(handler);
  };
  return Object.assign(dispatch, {
    answer(status: number) {
      const handler = waiting.shift();
      const controller = new LocalController();
      handler?.onResponseStart?.(controller, status, {}, '');
      handler?.onResponseEnd?.(controller, {});
    },
  });
}

describe('circuit breaker layer', () => {
  it('fails fast at max requests in flight, and admits again once one has finished', () => {
    const next = held();
    const breaker = createBreakerLayer({
      cluster: 'server.shop',
      maxRequests: 2,
      maxPendingRequests: 100,
      pending: () => 0,
      proxy,
    })(next);
    const first = recordingHandler();
    breaker(fakeRequest(), first);
    breaker(fakeRequest(), recordingHandler());
    const third = recordingHandler();
    breaker(fakeRequest(), third);
    expect(third.recorded.error).toMatchObject({ status: 503, reason: 'circuit-open' });
    expect(overflows).toEqual([{ proxy, cluster: 'server.shop', limit: 'max requests' }]);
    next.answer(200);
    expect(first.recorded.status).toBe(200);
    const fourth = recordingHandler();
    breaker(fakeRequest(), fourth);
    expect(fourth.recorded.error).toBeUndefined();
  });

  it('fails fast when max pending requests already wait for a connection', () => {
    let pending = 0;
    const breaker = createBreakerLayer({
      cluster: 'server.shop',
      maxRequests: 100,
      maxPendingRequests: 1,
      pending: () => pending,
      proxy,
    })(held());
    breaker(fakeRequest(), recordingHandler());
    pending = 1;
    const second = recordingHandler();
    breaker(fakeRequest(), second);
    expect(second.recorded.error).toMatchObject({ reason: 'circuit-open' });
    expect(overflows.map((o) => o.limit)).toEqual(['max pending']);
  });
});
