// Picks an endpoint of a cluster: least-request power of two choices (default), round robin or
// random, among endpoints not ejected. If all are ejected it uses all (Envoy's panic mode):
// a degraded answer beats none. A retry avoids the endpoint its last attempt failed on while
// there is another (Envoy's previous-hosts predicate): a dead endpoint answers fastest, so
// least-request alone would send the retry straight back to it.

import type { SnapshotCluster } from '@weft/mesh-config';
import type { EndpointHealth } from '../health/endpoint-health.ts';

export type Balancer = (
  endpoints: readonly EndpointHealth[],
  now: number,
  /** The workload the previous attempt of this request went to, for a retry. */
  avoid?: string,
) => EndpointHealth | undefined;

export function createBalancer(
  type: SnapshotCluster['loadBalancer'],
  random: () => number = Math.random,
): Balancer {
  let next = 0;
  const candidates = (endpoints: readonly EndpointHealth[], now: number, avoid?: string) => {
    const healthy = endpoints.filter((e) => !e.isEjected(now));
    const usable = healthy.length > 0 ? healthy : endpoints;
    if (avoid === undefined) return usable;
    const others = usable.filter((e) => e.workload !== avoid);
    return others.length > 0 ? others : usable;
  };
  const any = (list: readonly EndpointHealth[]) => list[Math.floor(random() * list.length)];
  switch (type) {
    case 'roundRobin':
      return (endpoints, now, avoid) => {
        const list = candidates(endpoints, now, avoid);
        if (list.length === 0) return undefined;
        next = (next + 1) % list.length;
        return list[next];
      };
    case 'random':
      return (endpoints, now, avoid) => any(candidates(endpoints, now, avoid));
    case 'leastRequest':
      return (endpoints, now, avoid) => {
        const list = candidates(endpoints, now, avoid);
        if (list.length <= 1) return list[0];
        const a = any(list) as EndpointHealth;
        let b = any(list) as EndpointHealth;
        if (a === b) b = list[(list.indexOf(a) + 1) % list.length] as EndpointHealth;
        return a.inFlight <= b.inFlight ? a : b;
      };
  }
}
