import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { answering, fakeRequest, recordingHandler } from './layer-test-kit.ts';
import { createMirrorLayer } from './mirror.ts';

describe('mirror layer', () => {
  it('sends a copy to the mirror target and the request itself on, the caller seeing only its answer', () => {
    const target = answering(500);
    const next = answering(200);
    const mirror = createMirrorLayer({ percent: 100, target, random: () => 0.5 })(next);
    const request = fakeRequest({ headers: { 'x-a': '1' }, body: Buffer.from('hi') });
    const handler = recordingHandler();
    mirror(request, handler);
    expect(handler.recorded.status).toBe(200);
    expect(next.calls).toEqual([request]);
    const copy = target.calls[0];
    expect(copy?.body).toBe(request.body);
    // Its own headers: a layer below the mirror must not change the real request's.
    expect(copy?.headers).not.toBe(request.headers);
    expect(copy?.headers).toEqual(request.headers);
    expect(request.context.mirrored).toBe(true);
  });

  it('does not copy a streamed body, nor a request outside the share', () => {
    const target = answering(200);
    const mirror = createMirrorLayer({ percent: 50, target, random: () => 0.7 })(answering(200));
    mirror(fakeRequest(), recordingHandler());
    const everything = createMirrorLayer({ percent: 100, target })(answering(200));
    const streamed = fakeRequest({ body: Readable.from(['x']) });
    everything(streamed, recordingHandler());
    expect(target.calls).toHaveLength(0);
    expect(streamed.context.mirrored).toBeUndefined();
  });
});
