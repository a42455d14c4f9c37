// Endpoint health, kept across snapshots: per endpoint its requests in flight and its outlier
// record (consecutive 5xx or gateway errors eject it for a time that grows with each ejection;
// never more than the cluster's max ejection share, but at least one), and the registry that
// holds one record per endpoint while some cluster of the snapshot in force names it.

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

/**
 * One record per endpoint (workload, address, port), shared by every cluster and snapshot that
 * names it: a config push must not wipe an ejection or the in-flight counts.
 */
export class EndpointHealthRegistry {
  private readonly records = new Map<string, EndpointHealth>();

  get(workload: string, address: string, port: number): EndpointHealth {
    const key = `${workload} ${address}:${port}`;
    let record = this.records.get(key);
    if (record === undefined) {
      record = new EndpointHealth(workload, address, port);
      this.records.set(key, record);
    }
    return record;
  }

  /**
   * Forgets the endpoints not in `tracked`: with endpoints coming and going for weeks the
   * registry would otherwise keep them all. One that comes back starts with a clean record.
   */
  retainOnly(tracked: ReadonlySet<EndpointHealth>): void {
    for (const [key, record] of this.records) if (!tracked.has(record)) this.records.delete(key);
  }
}
