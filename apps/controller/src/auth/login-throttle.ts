// Slows password guessing: after a few failures for one username from one address, further
// attempts are refused until the window passes. An attempt counts from the moment it starts,
// so a burst of parallel guesses cannot all pass the check before the first one has failed.

const MAX_FAILURES = 5;
const WINDOW_MS = 60_000;
/** Keys remembered at most; past it expired ones go, then the oldest (memory stays bounded). */
const MAX_KEYS = 10_000;

interface Attempts {
  failures: number;
  /** Attempts started and not yet settled. */
  pending: number;
  since: number;
}

export class LoginThrottle {
  private readonly attempts = new Map<string, Attempts>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys: number = MAX_KEYS,
  ) {}

  /** Starts an attempt, or refuses it (false) while the key is locked out; settle() ends it. */
  begin(key: string): boolean {
    let entry = this.attempts.get(key);
    if (entry !== undefined && entry.pending === 0 && this.expired(entry)) {
      this.attempts.delete(key);
      entry = undefined;
    }
    if (entry === undefined) {
      this.makeRoom();
      entry = { failures: 0, pending: 0, since: this.now() };
      this.attempts.set(key, entry);
    }
    if (entry.failures + entry.pending >= MAX_FAILURES) return false;
    entry.pending += 1;
    return true;
  }

  /** Ends an attempt begun with begin(): a success forgets the key, a failure counts. */
  settle(key: string, succeeded: boolean): void {
    const entry = this.attempts.get(key);
    if (entry === undefined) return;
    entry.pending = Math.max(0, entry.pending - 1);
    if (succeeded) this.attempts.delete(key);
    else entry.failures += 1;
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.attempts.size;
  }

  private expired(entry: Attempts): boolean {
    return this.now() - entry.since > WINDOW_MS;
  }

  private makeRoom(): void {
    if (this.attempts.size < this.maxKeys) return;
    for (const [key, entry] of this.attempts)
      if (entry.pending === 0 && this.expired(entry)) this.attempts.delete(key);
    // Still full: a flood of usernames. Forgetting the oldest beats growing without end.
    for (const key of this.attempts.keys()) {
      if (this.attempts.size < this.maxKeys) break;
      this.attempts.delete(key);
    }
  }
}
