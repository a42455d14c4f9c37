// Counts failed attempts per key and, past a few free ones, closes the key for a delay that
// doubles with every further failure: a guesser slows down exponentially, while a key that
// stops failing is forgotten after a while. Attempts count from the moment they start, so a
// burst of parallel guesses cannot all pass the check before the first one has failed.

export interface BackoffPolicy {
  /** Failures allowed before the key closes. */
  readonly freeFailures: number;
  /** How long the key stays closed after the failure that used up the free ones (ms). */
  readonly firstDelayMs: number;
  /** The longest a key stays closed after one failure, however many came before (ms). */
  readonly maxDelayMs: number;
  /** A key with no failure (and nothing in flight) for this long is forgotten (ms). */
  readonly forgetAfterMs: number;
}

/** Keys remembered at most; past it forgotten ones go, then the oldest (memory stays bounded). */
export const DEFAULT_MAX_KEYS = 10_000;

interface Entry {
  failures: number;
  /** Attempts started and not yet finished. */
  pending: number;
  /** The last failure, or when the key was first seen. */
  since: number;
}

export class FailureBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly now: () => number = Date.now,
    private readonly maxKeys: number = DEFAULT_MAX_KEYS,
  ) {}

  /** Whether an attempt for the key may start now. */
  open(key: string): boolean {
    const entry = this.current(key);
    if (entry === undefined) return true;
    const { freeFailures } = this.policy;
    if (entry.failures < freeFailures) return entry.failures + entry.pending < freeFailures;
    // Closed: after the delay, one attempt at a time, each failure doubling the next delay.
    return entry.pending === 0 && this.now() >= entry.since + this.delayAfter(entry.failures);
  }

  /** Counts an attempt in flight; finish() ends it. */
  start(key: string): void {
    let entry = this.current(key);
    if (entry === undefined) {
      this.makeRoom();
      entry = { failures: 0, pending: 0, since: this.now() };
      this.entries.set(key, entry);
    }
    entry.pending += 1;
  }

  /** Ends an attempt begun with start(); a failure counts towards closing the key. */
  finish(key: string, failed: boolean): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    entry.pending = Math.max(0, entry.pending - 1);
    if (failed) {
      entry.failures += 1;
      entry.since = this.now();
    }
  }

  /** Forgets the key's failures (a success where that is deserved). */
  forget(key: string): void {
    this.entries.delete(key);
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.entries.size;
  }

  private delayAfter(failures: number): number {
    const { freeFailures, firstDelayMs, maxDelayMs } = this.policy;
    return Math.min(maxDelayMs, firstDelayMs * 2 ** (failures - freeFailures));
  }

  private current(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && this.forgotten(entry)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private forgotten(entry: Entry): boolean {
    return entry.pending === 0 && this.now() - entry.since > this.policy.forgetAfterMs;
  }

  private makeRoom(): void {
    if (this.entries.size < this.maxKeys) return;
    for (const [key, entry] of this.entries) if (this.forgotten(entry)) this.entries.delete(key);
    // Still full: a flood of keys. Forgetting the oldest beats growing without end.
    for (const key of this.entries.keys()) {
      if (this.entries.size < this.maxKeys) break;
      this.entries.delete(key);
    }
  }
}
