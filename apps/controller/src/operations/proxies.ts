// Proxies leaving the registry, and time passing over it. An operator removes a proxy that is
// gone for good; the controller removes those silent for longer than WEFT_PROXY_REMOVE_AFTER_MS
// (registered and never connected, or gone), so that no ghost holds a root rotation back. A
// removed proxy leaves everyone's endpoints, its watch stream ends, and its calls are refused
// until it bootstraps again. Each removal is written with its audit row in one transaction.
// The periodic sweep also notices when the live set moved (a proxy fell silent past the expiry,
// or came back), the one change no write announces.

import type { ProxyLiveness } from '../push/liveness.ts';
import type { ProxyRepository } from '../repositories/proxies.ts';
import type { ChangeBus } from './changes.ts';

/** A proxy not heard from for a day is taken for gone. */
export const DEFAULT_PROXY_REMOVE_AFTER_MS = 24 * 3_600_000;

export interface ProxyDeps {
  readonly proxies: ProxyRepository;
  readonly liveness: ProxyLiveness;
  readonly changes: ChangeBus;
  /** Whether the proxy has a watch stream open on this controller. */
  readonly watching: (proxyId: string) => boolean;
  readonly removeAfterMs: number;
}

export class ProxyOperations {
  /** The live set as the last sweep saw it, ids in order. */
  private lastLive: string | undefined;

  constructor(private readonly deps: ProxyDeps) {}

  /** An operator's removal; returns whether the proxy was registered. */
  async remove(id: string, actor: string): Promise<boolean> {
    const removed = await this.deps.proxies.remove(id, {
      actor,
      action: 'proxies.remove',
      target: `proxy/${id}`,
      outcome: 'OK',
      detail: { reason: 'removed by an operator' },
    });
    if (removed) await this.deps.changes.emit({ kind: 'proxy-removed', proxyId: id });
    return removed;
  }

  /**
   * Removes every proxy silent for longer than the removal delay that has no watch stream open
   * on this controller, then announces a move of the live set; returns the ids removed.
   */
  async sweep(now: Date): Promise<string[]> {
    const removed = await this.removeSilent(now);
    const live = (await this.deps.proxies.live(this.deps.liveness.liveSince(now.getTime())))
      .map((p) => p.id)
      .join('\n');
    if (live !== this.lastLive) {
      this.lastLive = live;
      await this.deps.changes.emit({ kind: 'liveness' });
    }
    return removed;
  }

  private async removeSilent(now: Date): Promise<string[]> {
    const { removeAfterMs } = this.deps;
    const before = new Date(now.getTime() - removeAfterMs);
    const removed: string[] = [];
    for (const proxy of await this.deps.proxies.silentSince(before)) {
      if (this.deps.watching(proxy.id)) continue;
      // Only if still silent: a heartbeat since the query keeps it.
      const gone = await this.deps.proxies.removeIfSilent(proxy.id, before, {
        actor: 'controller',
        action: 'proxies.remove',
        target: `proxy/${proxy.id}`,
        outcome: 'OK',
        detail: {
          reason: `not heard from since ${proxy.lastHeartbeatAt.toISOString()} (more than ${removeAfterMs} ms)`,
        },
      });
      if (!gone) continue;
      await this.deps.changes.emit({ kind: 'proxy-removed', proxyId: proxy.id });
      removed.push(proxy.id);
    }
    return removed;
  }
}
