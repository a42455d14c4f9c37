// Checks a snapshot before it is published or applied: every name it uses must resolve inside it.

import type { ProxySnapshot } from './snapshot.ts';

/** Each string names one inconsistency; an empty list means the snapshot stands on its own. */
export function checkSnapshotConsistency(snapshot: ProxySnapshot): string[] {
  const problems: string[] = [];
  const clusters = new Set<string>();
  for (const cluster of snapshot.clusters) {
    if (clusters.has(cluster.name)) problems.push(`cluster "${cluster.name}" is defined twice`);
    clusters.add(cluster.name);
  }
  const localPorts = new Set<number>();
  for (const upstream of snapshot.upstreams) {
    if (upstream.localPort !== undefined) {
      if (localPorts.has(upstream.localPort))
        problems.push(`local port ${upstream.localPort} is used twice`);
      localPorts.add(upstream.localPort);
    }
    for (const entry of upstream.routes) {
      const used = [
        ...entry.backends.map((b) => b.cluster),
        ...(entry.mirror ? [entry.mirror.cluster] : []),
      ];
      for (const name of used) {
        if (!clusters.has(name))
          problems.push(`${entry.source} sends to cluster "${name}", which the snapshot lacks`);
      }
      if (entry.backends.every((b) => b.weight === 0))
        problems.push(`${entry.source} has no backend with weight`);
    }
  }
  return problems;
}
