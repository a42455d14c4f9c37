// The domain's one "changed" signal: every operation that changes what proxies should run
// (configuration, revocations, trust, the registry, who is live) emits a Change after its write
// has committed, and whatever follows a change (the config push, the proxy API's TLS) subscribes
// here instead of being called by each writer.

export type Change =
  /** A new configuration revision is in force. */
  | { readonly kind: 'config'; readonly revision: number }
  /** A certificate was revoked: every proxy's revocation list changes. */
  | { readonly kind: 'revocation'; readonly serial: string }
  /** The trust bundle changed (a root rotation step). */
  | { readonly kind: 'trust' }
  /** A proxy joined the registry or moved: its peers' endpoints change, soon. */
  | { readonly kind: 'registry'; readonly proxyId: string }
  /** A proxy left the registry: its watch ends, and it leaves its peers' endpoints. */
  | { readonly kind: 'proxy-removed'; readonly proxyId: string }
  /** Time moved which proxies are live (one fell silent, or came back). */
  | { readonly kind: 'liveness' };

export type ChangeKind = Change['kind'];
export type ChangeListener = (change: Change) => void | Promise<void>;

export class ChangeBus {
  private listeners: readonly ChangeListener[] = [];

  /** Listeners run in the order they subscribed; returns the unsubscribe. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Tells every listener, one after the other, and resolves once all have handled it: an
   * operator's change returns once its snapshots went out, as it did when routers pushed.
   * A listener that fails stops the rest and fails the emit.
   */
  async emit(change: Change): Promise<void> {
    for (const listener of this.listeners) await listener(change);
  }
}
