// Config push: keeps every live proxy's snapshot compiled from the resources in force and the
// registry, and sends each open watch stream only what changed for it (equal hashes are never
// re-sent). Compiles are incremental: only the snapshots that read an input which changed are
// compiled again (IncrementalCompiler in @weft/mesh-config owns that dependency). Snapshots are
// built, checked by the compiler, then published, never mutated after.

import { IncrementalCompiler, type ProxySnapshot } from '@weft/mesh-config';
import type { Logger } from 'pino';
import { controllerChannels } from '../observability/channels.ts';
import type { CertificateRepository } from '../repositories/certificates.ts';
import type { ProxyRepository } from '../repositories/proxies.ts';
import type { RevisionRepository } from '../repositories/revisions.ts';
import type { ProxyLiveness } from './liveness.ts';

export { PROXY_EXPIRY_MS } from './liveness.ts';
/** How long registry changes gather before one push carries them all. */
export const REGISTRY_DEBOUNCE_MS = 200;
/**
 * A refused snapshot is offered again after this, doubling with each refusal of the same one up
 * to NACK_RETRY_MAX_MS: what makes a valid snapshot fail on a proxy (a port another program
 * holds) usually lies outside the configuration and can go away without a new revision.
 */
export const NACK_RETRY_BASE_MS = 5_000;
export const NACK_RETRY_MAX_MS = 300_000;

interface Retry {
  readonly hash: string;
  readonly attempts: number;
  readonly timer: NodeJS.Timeout;
}

export interface Watcher {
  send(snapshot: ProxySnapshot): void;
  /** Ends the stream: the proxy is no longer registered. */
  close(): void;
}

export class SnapshotPublisher {
  private readonly watchers = new Map<string, Watcher>();
  private readonly lastSent = new Map<string, string>();
  private readonly compiler = new IncrementalCompiler();
  private latest: ReadonlyMap<string, ProxySnapshot> = new Map();
  private generation = 0;
  private running: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private soon: NodeJS.Timeout | undefined;
  private readonly retries = new Map<string, Retry>();

  constructor(
    private readonly revisions: RevisionRepository,
    private readonly proxies: ProxyRepository,
    private readonly certificates: CertificateRepository,
    private readonly trustBundle: () => Promise<string>,
    private readonly liveness: ProxyLiveness,
    private readonly log: Logger,
  ) {}

  /**
   * Recompiles and pushes. Runs are serialized so snapshots go out in order, and calls made
   * while a run waits share it: a burst of registrations costs one compile, not one each.
   */
  publish(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    const run = async () => {
      this.queued = undefined;
      await this.compileAndSend();
    };
    const queued = this.running.then(run, run);
    this.queued = queued;
    this.running = queued;
    return queued;
  }

  /**
   * For registry changes (a proxy joined or moved): one compile per short window however many
   * proxies arrive in it, so bootstrapping a fleet costs a few compiles a second, not one each.
   */
  publishSoon(): void {
    if (this.soon !== undefined) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.publish().catch((error: unknown) =>
        this.log.error({ err: error }, 'config push failed'),
      );
    }, REGISTRY_DEBOUNCE_MS);
  }

  /** Stops a pending registry push and every pending re-offer (on shutdown). */
  cancelPending(): void {
    clearTimeout(this.soon);
    this.soon = undefined;
    for (const retry of this.retries.values()) clearTimeout(retry.timer);
    this.retries.clear();
  }

  /**
   * The proxy refused the snapshot with this hash. If it is still the one last sent, it is
   * offered again later (unless a newer one goes out first), each time after twice as long.
   */
  refused(proxyId: string, hash: string): void {
    if (this.lastSent.get(proxyId) !== hash) return;
    const previous = this.retries.get(proxyId);
    clearTimeout(previous?.timer);
    const attempts = previous?.hash === hash ? previous.attempts + 1 : 1;
    const delayMs = Math.min(NACK_RETRY_BASE_MS * 2 ** (attempts - 1), NACK_RETRY_MAX_MS);
    const timer = setTimeout(() => {
      const watcher = this.watchers.get(proxyId);
      const snapshot = this.latest.get(proxyId);
      if (watcher === undefined || snapshot?.hash !== hash || this.lastSent.get(proxyId) !== hash)
        return;
      this.log.info(
        { proxyId, version: snapshot.version, attempts },
        'offering a refused snapshot again',
      );
      this.lastSent.delete(proxyId);
      void this.deliver(proxyId, watcher, snapshot);
    }, delayMs);
    timer.unref();
    this.retries.set(proxyId, { hash, attempts, timer });
  }

  /** The proxy applied a snapshot: whatever it refused before is behind it. */
  accepted(proxyId: string): void {
    clearTimeout(this.retries.get(proxyId)?.timer);
    this.retries.delete(proxyId);
  }

  attach(proxyId: string, watcher: Watcher): void {
    this.watchers.set(proxyId, watcher);
    this.lastSent.delete(proxyId);
    const snapshot = this.latest.get(proxyId);
    if (snapshot !== undefined) void this.deliver(proxyId, watcher, snapshot);
  }

  detach(proxyId: string, watcher: Watcher): void {
    if (this.watchers.get(proxyId) === watcher) this.watchers.delete(proxyId);
  }

  /** The proxy left the registry: its stream is closed and nothing more is sent or re-offered. */
  forget(proxyId: string): void {
    const watcher = this.watchers.get(proxyId);
    this.watchers.delete(proxyId);
    this.lastSent.delete(proxyId);
    clearTimeout(this.retries.get(proxyId)?.timer);
    this.retries.delete(proxyId);
    watcher?.close();
  }

  connected(proxyId: string): boolean {
    return this.watchers.has(proxyId);
  }

  /** How many proxies have a watch stream open now. */
  get watchStreams(): number {
    return this.watchers.size;
  }

  private async compileAndSend(): Promise<void> {
    const [resources, revision, live, revokedSerials, trustBundle] = await Promise.all([
      this.revisions.current(),
      this.revisions.latestId(),
      this.proxies.live(this.liveness.liveSince(Date.now())),
      this.certificates.revokedSerials(new Date()),
      this.trustBundle(),
    ]);
    const services = new Set(
      resources
        .filter((r) => r.kind === 'Service')
        .map((r) => `${r.metadata.namespace}/${r.metadata.name}`),
    );
    // A proxy whose service is not configured yet gets nothing (it stays not ready) rather than
    // stopping every other proxy's update.
    const workloads = live.filter((p) => services.has(`${p.namespace}/${p.service}`));
    if (workloads.length === 0) return;
    this.generation += 1;
    const version = `r${revision}.${this.generation}`;
    const compiled = this.compiler.compile({
      resources,
      workloads,
      version,
      revokedSerials,
      trustBundle,
    });
    this.latest = compiled.snapshots;
    controllerChannels.snapshotsPublished.publish({
      source: this,
      version,
      proxies: this.latest.size,
      compiled: compiled.compiled.length,
    });
    await Promise.all(
      [...this.watchers].map(([proxyId, watcher]) => {
        const snapshot = this.latest.get(proxyId);
        return snapshot === undefined ? undefined : this.deliver(proxyId, watcher, snapshot);
      }),
    );
  }

  /** Recorded as sent before it goes out, so the proxy's ACK can never land first. */
  private async deliver(proxyId: string, watcher: Watcher, snapshot: ProxySnapshot): Promise<void> {
    if (this.lastSent.get(proxyId) === snapshot.hash) return;
    this.lastSent.set(proxyId, snapshot.hash);
    try {
      await this.proxies.sent(proxyId, snapshot.version, snapshot.hash, new Date());
    } catch (error) {
      this.log.error({ err: error, proxyId }, 'cannot record a sent snapshot');
    }
    watcher.send(snapshot);
    controllerChannels.snapshotSent.publish({ source: this, proxyId, version: snapshot.version });
  }
}
