import { describe, expect, it } from 'vitest';
import { PROXY_EXPIRY_MS, ProxyLiveness, RESTART_GRACE_MS } from './liveness.ts';

const START = 1_000_000_000;

describe('proxy liveness', () => {
  it('counts silence only while the controller could hear it', () => {
    // The controller last heard from the fleet a minute before it started again.
    const liveness = new ProxyLiveness(START, START - 60_000);
    expect(liveness.liveSince(START).getTime()).toBe(START - 60_000 - PROXY_EXPIRY_MS);
    expect(liveness.liveSince(START + RESTART_GRACE_MS - 1).getTime()).toBe(
      START - 60_000 - PROXY_EXPIRY_MS,
    );
    // After the grace, whoever did not come back expires as usual.
    const later = START + RESTART_GRACE_MS;
    expect(liveness.liveSince(later).getTime()).toBe(later - PROXY_EXPIRY_MS);
  });

  it('moves the cutoff back only by the time the controller was away; none on a first start', () => {
    expect(new ProxyLiveness(START, START - 1_000).liveSince(START).getTime()).toBe(
      START - 1_000 - PROXY_EXPIRY_MS,
    );
    expect(new ProxyLiveness(START, undefined).liveSince(START + 5).getTime()).toBe(
      START + 5 - PROXY_EXPIRY_MS,
    );
  });
});
