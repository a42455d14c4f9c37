// Picks an endpoint of a cluster: least-request power of two choices (default), round robin or
// random, among endpoints not ejected. If all are ejected it uses all (Envoy's panic mode):
// a degraded answer beats none.

import type { SnapshotCluster } from '@weft/mesh-config';
import type { EndpointHealth } from './endpoint-health.ts';

export type Balancer = (
  endpoints: readonly EndpointHealth[],
  now: number,
) => EndpointHealth | undefined;

export function createBalancer(
  type: SnapshotCluster['loadBalancer'],
  random: () => number = Math.random,
): Balancer {
  let next = 0;
  const candidates = (endpoints: readonly EndpointHealth[], now: number) => {
    const healthy = endpoints.filter((e) => !e.isEjected(now));
    return healthy.length > 0 ? healthy : endpoints;
  };
  const any = (list: readonly EndpointHealth[]) => list[Math.floor(random() * list.length)];
  switch (type) {
    case 'roundRobin':
      return (endpoints, now) => {
        const list = candidates(endpoints, now);
        if (list.length === 0) return undefined;
        next = (next + 1) % list.length;
        return list[next];
      };
    case 'random':
      return (endpoints, now) => any(candidates(endpoints, now));
    case 'leastRequest':
      return (endpoints, now) => {
        const list = candidates(endpoints, now);
        if (list.length <= 1) return list[0];
        const a = any(list) as EndpointHealth;
        let b = any(list) as EndpointHealth;
        if (a === b) b = list[(list.indexOf(a) + 1) % list.length] as EndpointHealth;
        return a.inFlight <= b.inFlight ? a : b;
      };
  }
}
