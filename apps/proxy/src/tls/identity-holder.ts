// Holds the identity in force. Rotation swaps it whole: new handshakes use the new certificate,
// connections already open keep theirs and are never closed for it.

import type { Identity } from './identity.ts';

export class IdentityHolder {
  private readonly listeners = new Set<(identity: Identity) => void>();

  constructor(private identity: Identity) {}

  current(): Identity {
    return this.identity;
  }

  replace(identity: Identity): void {
    this.identity = identity;
    for (const listener of this.listeners) listener(identity);
  }

  onReplace(listener: (identity: Identity) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
