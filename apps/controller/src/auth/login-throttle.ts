// Slows password guessing: after a few failures for one username from one address, further
// attempts are refused until the window passes.

const MAX_FAILURES = 5;
const WINDOW_MS = 60_000;

export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  allows(key: string): boolean {
    const entry = this.failures.get(key);
    if (entry === undefined) return true;
    if (this.now() - entry.since > WINDOW_MS) {
      this.failures.delete(key);
      return true;
    }
    return entry.count < MAX_FAILURES;
  }

  fail(key: string): void {
    const entry = this.failures.get(key);
    if (entry === undefined || this.now() - entry.since > WINDOW_MS)
      this.failures.set(key, { count: 1, since: this.now() });
    else entry.count += 1;
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
