import { describe, expect, it } from 'vitest';
import { createBackendPickLayer } from './backend-pick.ts';
import { answering, fakeRequest, ROUTE, recordingHandler } from './layer-test-kit.ts';

describe('backend pick layer', () => {
  it('splits requests exactly by weight over a window, never to a backend of weight 0', () => {
    const next = answering(200);
    const pick = createBackendPickLayer({
      ...ROUTE,
      backends: [
        { cluster: 'server.shop.v1', weight: 7 },
        { cluster: 'server.shop.v2', weight: 3 },
        { cluster: 'server.shop.v3', weight: 0 },
      ],
    })(next);
    for (let i = 0; i < 20; i++) pick(fakeRequest(), recordingHandler());
    const clusters = next.calls.map((request) => request.context.cluster);
    expect(clusters.filter((c) => c === 'server.shop.v1')).toHaveLength(14);
    expect(clusters.filter((c) => c === 'server.shop.v2')).toHaveLength(6);
    // Interleaved, not bunched: the canary gets one of the first few requests.
    expect(clusters.slice(0, 4)).toContain('server.shop.v2');
  });

  it('refuses an entry whose weights add up to nothing', () => {
    expect(() =>
      createBackendPickLayer({ ...ROUTE, backends: [{ cluster: 'server.shop', weight: 0 }] }),
    ).toThrow(RangeError);
  });
});
