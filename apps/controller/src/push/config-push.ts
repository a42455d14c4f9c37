// Config push: on every change (operations/changes.ts), builds the snapshots (snapshot-builder)
// and sets them in the cache (snapshot-cache), which sends each open watch what changed for it.
// Builds are serialized so snapshots go out in order; registry changes are gathered for a short
// window so a fleet bootstrapping costs a few builds a second, not one per proxy.

import type { Logger } from 'pino';
import { controllerChannels } from '../observability/channels.ts';
import type { Change, ChangeBus } from '../operations/changes.ts';
import type { SnapshotBuilder } from './snapshot-builder.ts';
import type { SnapshotCache } from './snapshot-cache.ts';

/** How long registry changes gather before one push carries them all. */
export const REGISTRY_DEBOUNCE_MS = 200;
/** A build that failed (the database busy, say) is tried again after this. */
export const FAILED_BUILD_RETRY_MS = 5_000;

export class ConfigPush {
  private running: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private soon: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly builder: SnapshotBuilder,
    private readonly cache: SnapshotCache,
    private readonly log: Logger,
  ) {}

  /** Follows the bus from now on; returns the unsubscribe. */
  follow(changes: ChangeBus): () => void {
    return changes.subscribe((change) => this.changed(change));
  }

  /** What each kind of change costs: registry churn waits for company, the rest goes at once. */
  changed(change: Change): Promise<void> | undefined {
    switch (change.kind) {
      case 'proxy-removed':
        this.cache.forget(change.proxyId);
        this.publishSoon();
        return undefined;
      case 'registry':
      case 'liveness':
        this.publishSoon();
        return undefined;
      default:
        return this.publish();
    }
  }

  /**
   * Builds and pushes. Runs are serialized so snapshots go out in order, and calls made while a
   * run waits share it: a burst of changes costs one build, not one each.
   */
  publish(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    const run = async () => {
      this.queued = undefined;
      await this.buildAndSet();
    };
    const queued = this.running.then(run, run);
    this.queued = queued;
    this.running = queued;
    return queued;
  }

  /** Stops a pending push and retry (on shutdown); the cache's re-offers stop with the cache. */
  close(): void {
    this.closed = true;
    clearTimeout(this.soon);
    clearTimeout(this.retry);
    this.soon = undefined;
    this.retry = undefined;
  }

  private publishSoon(): void {
    if (this.soon !== undefined || this.closed) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.publish().catch(() => undefined);
    }, REGISTRY_DEBOUNCE_MS);
  }

  private async buildAndSet(): Promise<void> {
    try {
      const built = await this.builder.build();
      if (built === undefined) return;
      controllerChannels.snapshotsPublished.publish({
        source: this.cache,
        version: built.version,
        proxies: built.snapshots.size,
        compiled: built.compiled,
      });
      await this.cache.set(built.revision, built.snapshots);
    } catch (error) {
      this.log.error({ err: error }, 'config push failed');
      this.retryLater();
      throw error;
    }
  }

  private retryLater(): void {
    if (this.retry !== undefined || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.publish().catch(() => undefined);
    }, FAILED_BUILD_RETRY_MS);
    this.retry.unref();
  }
}
