// Proxies leaving the registry: removed by an operator, or by the controller once they have been
// silent for longer than WEFT_PROXY_REMOVE_AFTER_MS (registered and never connected, or gone),
// so that no ghost holds a root rotation back. A removed proxy leaves everyone's endpoints, its
// watch stream ends, and its calls are refused until it bootstraps again.

import type { AuditRepository } from '../repositories/audit.ts';
import type { ProxyRepository } from '../repositories/proxies.ts';
import type { SnapshotPublisher } from './snapshot-publisher.ts';

/** A proxy not heard from for a day is taken for gone. */
export const DEFAULT_PROXY_REMOVE_AFTER_MS = 24 * 3_600_000;

export interface RemovalDeps {
  readonly proxies: ProxyRepository;
  readonly publisher: SnapshotPublisher;
  readonly audit: AuditRepository;
}

/** An operator's removal; returns whether the proxy was registered. */
export async function removeProxy(deps: RemovalDeps, id: string, actor: string): Promise<boolean> {
  const removed = await deps.proxies.remove(id);
  if (!removed) return false;
  await left(deps, id, actor, { reason: 'removed by an operator' });
  return true;
}

/**
 * Removes every proxy silent for longer than `removeAfterMs` that has no watch stream open on
 * this controller; returns the ids removed.
 */
export async function removeSilentProxies(
  deps: RemovalDeps,
  removeAfterMs: number,
  now: Date,
): Promise<string[]> {
  const before = new Date(now.getTime() - removeAfterMs);
  const removed: string[] = [];
  for (const proxy of await deps.proxies.silentSince(before)) {
    if (deps.publisher.connected(proxy.id)) continue;
    // Only if still silent: a heartbeat since the query keeps it.
    if (!(await deps.proxies.removeIfSilent(proxy.id, before))) continue;
    await left(deps, proxy.id, 'controller', {
      reason: `not heard from since ${proxy.lastHeartbeatAt.toISOString()} (more than ${removeAfterMs} ms)`,
    });
    removed.push(proxy.id);
  }
  return removed;
}

async function left(
  deps: RemovalDeps,
  id: string,
  actor: string,
  detail: Record<string, unknown>,
): Promise<void> {
  deps.publisher.forget(id);
  deps.publisher.publishSoon();
  await deps.audit.record({
    actor,
    action: 'proxies.remove',
    target: `proxy/${id}`,
    outcome: 'OK',
    detail,
  });
}
