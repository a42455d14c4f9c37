import type { SnapshotCluster } from '@weft/mesh-config';
import { describe, expect, it } from 'vitest';
import { EndpointHealth, EndpointHealthRegistry, maxEjected } from './endpoint-health.ts';

const POLICY: SnapshotCluster['outlierDetection'] = {
  consecutive5xxErrors: 2,
  consecutiveGatewayErrors: 5,
  intervalMs: 1_000,
  baseEjectionTimeMs: 10_000,
  maxEjectionPercent: 10,
};

describe('endpoint health', () => {
  it('ejects after consecutive errors, longer each time, and a success resets the count', () => {
    const endpoint = new EndpointHealth('server-1', '127.0.0.1', 1);
    const always = () => true;
    expect(endpoint.record('server-error', POLICY, always, 0)).toBe(false);
    expect(endpoint.record('success', POLICY, always, 0)).toBe(false);
    expect(endpoint.record('server-error', POLICY, always, 0)).toBe(false);
    expect(endpoint.record('server-error', POLICY, always, 0)).toBe(true);
    expect(endpoint.isEjected(9_999)).toBe(true);
    expect(endpoint.isEjected(10_000)).toBe(false);
    endpoint.record('server-error', POLICY, always, 10_000);
    expect(endpoint.record('server-error', POLICY, always, 10_000)).toBe(true);
    // Earned back 10 quiet intervals, so the second ejection is as short as the first.
    expect(endpoint.isEjected(19_999)).toBe(true);
    // Tripped again, but the cluster is at its max ejection share.
    endpoint.record('server-error', POLICY, () => false, 30_000);
    expect(endpoint.record('server-error', POLICY, () => false, 30_000)).toBe(false);
    expect(endpoint.isEjected(30_000)).toBe(false);
  });

  it('allows one ejection even when the share rounds down to none', () => {
    expect(maxEjected(3, 10)).toBe(1);
    expect(maxEjected(30, 10)).toBe(3);
  });
});

describe('endpoint health registry', () => {
  it('keeps one record per endpoint across snapshots, and forgets the ones no cluster names', () => {
    const registry = new EndpointHealthRegistry();
    const first = registry.get('server-1', '127.0.0.1', 1);
    first.inFlight = 3;
    expect(registry.get('server-1', '127.0.0.1', 1)).toBe(first);
    const other = registry.get('server-2', '127.0.0.1', 2);
    registry.retainOnly(new Set([other]));
    expect(registry.get('server-2', '127.0.0.1', 2)).toBe(other);
    expect(registry.get('server-1', '127.0.0.1', 1)).not.toBe(first);
  });
});
