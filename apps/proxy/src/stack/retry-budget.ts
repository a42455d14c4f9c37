// Linkerd's retry budget: retries may add at most a share of the recent request load, plus a
// small floor so a quiet service can still retry. Stops retry storms when a backend is down.

/** Window over which requests and retries are counted. */
const WINDOW_MS = 10_000;
const BUCKETS = 10;
/** Retries always allowed per second regardless of load, as Linkerd's minRetriesPerSecond. */
export const MIN_RETRIES_PER_SECOND = 10;

export class RetryBudget {
  private readonly requests = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);
  private bucket = 0;
  private bucketStart = 0;

  constructor(
    private readonly percent: number,
    private readonly now: () => number = Date.now,
  ) {}

  recordRequest(): void {
    this.rotate();
    this.requests[this.bucket] = (this.requests[this.bucket] ?? 0) + 1;
  }

  /** Takes a retry from the budget when one is left. */
  tryAcquire(): boolean {
    this.rotate();
    const requests = sum(this.requests);
    const retries = sum(this.retries);
    const floor = (MIN_RETRIES_PER_SECOND * WINDOW_MS) / 1_000;
    if (retries + 1 > Math.max(floor, (requests * this.percent) / 100)) return false;
    this.retries[this.bucket] = (this.retries[this.bucket] ?? 0) + 1;
    return true;
  }

  private rotate(): void {
    const now = this.now();
    const width = WINDOW_MS / BUCKETS;
    let steps = Math.floor((now - this.bucketStart) / width);
    if (steps <= 0) return;
    this.bucketStart += steps * width;
    if (steps > BUCKETS) {
      this.bucketStart = now - (now % width);
      steps = BUCKETS;
    }
    for (let i = 0; i < steps; i++) {
      this.bucket = (this.bucket + 1) % BUCKETS;
      this.requests[this.bucket] = 0;
      this.retries[this.bucket] = 0;
    }
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
