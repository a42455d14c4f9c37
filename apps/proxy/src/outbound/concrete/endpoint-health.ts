// Outlier detection per endpoint: consecutive 5xx or gateway errors eject it for a time that
// grows with each ejection; never more than the cluster's max ejection share (but at least one).

import type { SnapshotCluster } from '@weft/mesh-config';

export class EndpointHealth {
  inFlight = 0;
  private consecutive5xx = 0;
  private consecutiveGateway = 0;
  private ejectedUntil = 0;
  private ejections = 0;
  private lastEjectedAt = 0;

  constructor(
    readonly workload: string,
    readonly address: string,
    readonly port: number,
  ) {}

  isEjected(now: number): boolean {
    return now < this.ejectedUntil;
  }

  /** Records an answer; returns true when this answer got the endpoint ejected. */
  record(
    outcome: 'success' | 'server-error' | 'gateway-error',
    policy: SnapshotCluster['outlierDetection'],
    canEject: () => boolean,
    now: number,
  ): boolean {
    if (outcome === 'success') {
      this.consecutive5xx = 0;
      this.consecutiveGateway = 0;
      return false;
    }
    this.consecutive5xx += 1;
    if (outcome === 'gateway-error') this.consecutiveGateway += 1;
    const tripped =
      this.consecutive5xx >= policy.consecutive5xxErrors ||
      this.consecutiveGateway >= policy.consecutiveGatewayErrors;
    if (!tripped || this.isEjected(now) || !canEject()) return false;
    // Healthy stretches earn back one step of ejection time per interval, as Envoy does.
    const quietIntervals = Math.floor((now - this.lastEjectedAt) / Math.max(policy.intervalMs, 1));
    this.ejections = Math.max(0, this.ejections - quietIntervals) + 1;
    this.ejectedUntil = now + policy.baseEjectionTimeMs * this.ejections;
    this.lastEjectedAt = now;
    this.consecutive5xx = 0;
    this.consecutiveGateway = 0;
    return true;
  }
}

/** Envoy's rule: the max ejection share, but one endpoint may always be ejected. */
export function maxEjected(endpoints: number, maxEjectionPercent: number): number {
  return Math.max(1, Math.floor((endpoints * maxEjectionPercent) / 100));
}
