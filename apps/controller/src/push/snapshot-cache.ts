// The snapshot cache, as go-control-plane keeps one: the latest snapshot set, the open watch of
// each proxy, and per proxy what was sent (an equal hash is never sent twice) and whether a
// refused one waits to be offered again. Snapshots are set whole and never mutated after.

import type { ProxySnapshot } from '@weft/mesh-config';
import { controllerChannels } from '../observability/channels.ts';

/**
 * A refused snapshot is offered again after this, doubling with each refusal of the same one up
 * to NACK_RETRY_MAX_MS: what makes a valid snapshot fail on a proxy (a port another program
 * holds) usually lies outside the configuration and can go away without a new revision.
 */
export const NACK_RETRY_BASE_MS = 5_000;
export const NACK_RETRY_MAX_MS = 300_000;

export interface Watcher {
  send(snapshot: ProxySnapshot): void;
  /** Ends the stream: the proxy is no longer registered. */
  close(): void;
}

export interface SnapshotCacheOptions {
  /** Stores what is about to go out (version, hash, revision), before it goes. */
  readonly recordSent: (
    proxyId: string,
    snapshot: ProxySnapshot,
    revision: number,
  ) => Promise<void>;
  readonly onError: (error: unknown, proxyId: string) => void;
  /** A refused snapshot is offered again (for the log). */
  readonly onReoffer?: (proxyId: string, version: string, attempts: number) => void;
  readonly nackRetryBaseMs?: number;
  readonly nackRetryMaxMs?: number;
}

interface Retry {
  readonly hash: string;
  readonly attempts: number;
  readonly timer: NodeJS.Timeout;
}

export class SnapshotCache {
  private readonly watchers = new Map<string, Watcher>();
  /** The hash last sent to each proxy: de-duplication. */
  private readonly sent = new Map<string, string>();
  /** Refused snapshots waiting to be offered again: NACK backoff. */
  private readonly retries = new Map<string, Retry>();
  private snapshots: ReadonlyMap<string, ProxySnapshot> = new Map();
  private revision = 0;

  constructor(private readonly options: SnapshotCacheOptions) {}

  /** Replaces the snapshot set, and sends each open watch its snapshot if it changed. */
  async set(revision: number, snapshots: ReadonlyMap<string, ProxySnapshot>): Promise<void> {
    this.revision = revision;
    this.snapshots = snapshots;
    await Promise.all(
      [...this.watchers].map(([proxyId, watcher]) => {
        const snapshot = snapshots.get(proxyId);
        return snapshot === undefined ? undefined : this.deliver(proxyId, watcher, snapshot);
      }),
    );
  }

  /**
   * Opens the proxy's watch (replacing an older one): it gets its current snapshot at once, and
   * every change after. Returns the cancel, which ends this watch only.
   */
  watch(proxyId: string, watcher: Watcher): () => void {
    this.watchers.set(proxyId, watcher);
    this.sent.delete(proxyId);
    const snapshot = this.snapshots.get(proxyId);
    if (snapshot !== undefined) void this.deliver(proxyId, watcher, snapshot);
    return () => {
      if (this.watchers.get(proxyId) === watcher) this.watchers.delete(proxyId);
    };
  }

  /** The proxy applied a snapshot: whatever it refused before is behind it. */
  accepted(proxyId: string): void {
    clearTimeout(this.retries.get(proxyId)?.timer);
    this.retries.delete(proxyId);
  }

  /**
   * The proxy refused the snapshot with this hash. If it is still the one last sent, it is
   * offered again later (unless a newer one goes out first), each time after twice as long.
   */
  refused(proxyId: string, hash: string): void {
    if (this.sent.get(proxyId) !== hash) return;
    const previous = this.retries.get(proxyId);
    clearTimeout(previous?.timer);
    const attempts = previous?.hash === hash ? previous.attempts + 1 : 1;
    const base = this.options.nackRetryBaseMs ?? NACK_RETRY_BASE_MS;
    const delayMs = Math.min(
      base * 2 ** (attempts - 1),
      this.options.nackRetryMaxMs ?? NACK_RETRY_MAX_MS,
    );
    const timer = setTimeout(() => {
      const watcher = this.watchers.get(proxyId);
      const snapshot = this.snapshots.get(proxyId);
      if (watcher === undefined || snapshot?.hash !== hash || this.sent.get(proxyId) !== hash)
        return;
      this.options.onReoffer?.(proxyId, snapshot.version, attempts);
      this.sent.delete(proxyId);
      void this.deliver(proxyId, watcher, snapshot);
    }, delayMs);
    timer.unref();
    this.retries.set(proxyId, { hash, attempts, timer });
  }

  /** The proxy left the registry: its watch is closed and nothing more is sent or re-offered. */
  forget(proxyId: string): void {
    const watcher = this.watchers.get(proxyId);
    this.watchers.delete(proxyId);
    this.sent.delete(proxyId);
    clearTimeout(this.retries.get(proxyId)?.timer);
    this.retries.delete(proxyId);
    watcher?.close();
  }

  connected(proxyId: string): boolean {
    return this.watchers.has(proxyId);
  }

  /** How many proxies have a watch open now. */
  get watchStreams(): number {
    return this.watchers.size;
  }

  /** Stops every pending re-offer (on shutdown). */
  close(): void {
    for (const retry of this.retries.values()) clearTimeout(retry.timer);
    this.retries.clear();
  }

  /** Recorded as sent before it goes out, so the proxy's ACK can never land first. */
  private async deliver(proxyId: string, watcher: Watcher, snapshot: ProxySnapshot): Promise<void> {
    if (this.sent.get(proxyId) === snapshot.hash) return;
    this.sent.set(proxyId, snapshot.hash);
    try {
      await this.options.recordSent(proxyId, snapshot, this.revision);
    } catch (error) {
      this.options.onError(error, proxyId);
    }
    watcher.send(snapshot);
    controllerChannels.snapshotSent.publish({ source: this, proxyId, version: snapshot.version });
  }
}
