import { describe, expect, it } from 'vitest';
import { asProxyError } from '../errors.ts';
import { answering, fakeRequest, hanging, recordingHandler } from './layer-test-kit.ts';
import { createTimeoutLayer } from './timeout.ts';

describe('timeout layer', () => {
  it('answers 504 when no answer comes in time, and cancels the attempt in flight', async () => {
    const next = hanging();
    const handler = recordingHandler();
    createTimeoutLayer({ timeoutMs: 30, scope: 'per-try' })(next)(fakeRequest(), handler);
    await handler.recorded.done;
    expect(asProxyError(handler.recorded.error)).toMatchObject({
      status: 504,
      reason: 'upstream-timeout',
    });
    expect(next.controllers[0]?.aborted).toBe(true);
  });

  it('passes an answer that comes in time, and fires nothing later', async () => {
    const handler = recordingHandler();
    createTimeoutLayer({ timeoutMs: 20, scope: 'request' })(answering(200))(fakeRequest(), handler);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(handler.recorded.status).toBe(200);
    expect(handler.recorded.error).toBeUndefined();
  });

  it('refuses a timeout that is not a positive integer', () => {
    expect(() => createTimeoutLayer({ timeoutMs: 0, scope: 'request' })).toThrow(RangeError);
  });
});
