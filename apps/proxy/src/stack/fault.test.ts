import { describe, expect, it } from 'vitest';
import { asProxyError } from '../errors.ts';
import { createFaultLayer } from './fault.ts';
import { answering, fakeRequest, recordingHandler } from './layer-test-kit.ts';

describe('fault layer', () => {
  it('aborts a request in the share with the configured status, without sending it', () => {
    const next = answering(200);
    const fault = createFaultLayer({ abort: { httpStatus: 418, percent: 10 } }, () => 0.05)(next);
    const handler = recordingHandler();
    fault(fakeRequest(), handler);
    expect(asProxyError(handler.recorded.error)).toMatchObject({
      status: 418,
      reason: 'fault-injected',
    });
    expect(next.calls).toHaveLength(0);
  });

  it('delays a request in the share, and lets the others through at once', async () => {
    const next = answering(200);
    const fault = createFaultLayer({ delay: { delayMs: 50, percent: 50 } }, () => 0.2)(next);
    const started = performance.now();
    const delayed = recordingHandler();
    fault(fakeRequest(), delayed);
    expect(next.calls).toHaveLength(0);
    await delayed.recorded.done;
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);

    const passing = recordingHandler();
    createFaultLayer({ delay: { delayMs: 50, percent: 50 } }, () => 0.9)(next)(
      fakeRequest(),
      passing,
    );
    expect(passing.recorded.status).toBe(200);
  });
});
