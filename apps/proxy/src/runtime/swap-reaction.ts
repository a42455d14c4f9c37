// What the proxy does when a snapshot goes into force, in one place and in a fixed order. The
// store has already swapped the runtime when this runs, so every step reads the new one.

import type { EndpointHealth, EndpointHealthRegistry } from '../health/endpoint-health.ts';
import type { InboundListener } from '../inbound/listener.ts';
import type { EndpointPools } from '../outbound/endpoint/endpoint-pools.ts';
import { channels } from '../telemetry/channels.ts';
import type { Runtime } from './runtime.ts';

export interface SwapReactionParts {
  /** Tags the snapshot-applied event. */
  readonly proxy: object;
  /** Trusts the snapshot's trust bundle for new handshakes (a root rotation's new root). */
  readonly followTrustBundle: (trustBundle: string) => Promise<void>;
  readonly pools: EndpointPools;
  readonly health: EndpointHealthRegistry;
  readonly inbound: InboundListener;
}

/**
 * The listener for SnapshotStore.onSwap. In order:
 *   1. trust bundle  -> followed at once, before any peer presents a certificate of a new root
 *   2. pools, health -> what no cluster names any more is let go: pools drain and close, health
 *                       records are forgotten (an endpoint that comes back starts clean)
 *   3. revocations   -> open connections whose peer presented a now revoked certificate are
 *                       closed, both ways: a peer must not keep its access by keeping a
 *                       connection alive (new handshakes read the runtime in force already)
 *   4. announce      -> snapshot-applied is published: the config metric and the log follow it
 */
export function createSwapReaction(
  parts: SwapReactionParts,
): (runtime: Runtime, previous: Runtime | undefined) => void {
  return (runtime, previous) => {
    void parts.followTrustBundle(runtime.snapshot.trustBundle);

    const inUse = new Set<string>();
    const tracked = new Set<EndpointHealth>();
    for (const cluster of runtime.clusters.values()) {
      for (const key of cluster.poolKeys) inUse.add(key);
      for (const endpoint of cluster.endpoints) tracked.add(endpoint);
    }
    parts.pools.retainOnly(inUse);
    parts.health.retainOnly(tracked);

    const closedRevoked = parts.inbound.closeRevoked() + parts.pools.closeRevoked();

    channels.snapshotApplied.publish({
      proxy: parts.proxy,
      version: runtime.snapshot.version,
      hash: runtime.snapshot.hash,
      previousVersion: previous?.snapshot.version,
      closedRevoked,
    });
  };
}
