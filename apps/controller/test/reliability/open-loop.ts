// The reliability tests' client: an open-loop load that sends GETs at a fixed rate whatever the
// answers do (a stall cannot slow it down and hide failures), counts every request that does not
// end in 200 by its cause, and gives each a deadline so that a hung request is counted too.
// Also a short closed-loop probe that measures the capacity of the path it calls.

import { Agent, request } from 'node:http';
import { LatencySketch } from '@weft/telemetry';

/** A request not answered within this is a failure ("timeout"): nothing may hang. */
export const DEFAULT_DEADLINE_MS = 5_000;
/**
 * Open loop means no request waits for a socket in the client: enough for every request in
 * flight at these rates, even when each waits seconds for a slow upstream. Few are opened while
 * answers are quick.
 */
const DEFAULT_CONNECTIONS = 4_096;
/** Idle sockets close before the proxy's 60 s keep-alive does, so none is reused as it closes. */
const AGENT_IDLE_MS = 30_000;
const MS_PER_S = 1_000;
const FAILURES_KEPT = 50;

export interface Failure {
  /** Milliseconds after the load started. */
  readonly atMs: number;
  /** `503 circuit-open`, `error ECONNREFUSED`, `timeout`… */
  readonly kind: string;
}

export interface LoadReport {
  readonly rate: number;
  readonly seconds: number;
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  /** Failures counted by kind. */
  readonly failures: Readonly<Record<string, number>>;
  /** How long failures of each kind took to arrive, in ms: fail-fast and timeouts show here. */
  readonly failureLatencyMs: Readonly<Record<string, { p50: number; max: number }>>;
  /** The longest any request took to end, answered or failed: nothing may hang. */
  readonly slowestMs: number;
  /** The first failures, in order, with when they happened. */
  readonly firstFailures: readonly Failure[];
  /** Requests still unanswered at their deadline (also counted in failed, as "timeout"). */
  readonly timedOut: number;
  readonly latencyMs: { p50: number; p99: number; p999: number; max: number };
  /** Named moments (a fault, a recovery) in milliseconds after the load started. */
  readonly marks: Readonly<Record<string, number>>;
}

export interface OpenLoopOptions {
  readonly url: string;
  readonly rate: number;
  readonly deadlineMs?: number;
  readonly connections?: number;
}

export class OpenLoopLoad {
  private readonly agent: Agent;
  private readonly target: URL;
  private readonly intervalMs: number;
  private readonly deadlineMs: number;
  private readonly startedAt = performance.now();
  private nextDue = this.startedAt;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private sent = 0;
  private ok = 0;
  private timedOut = 0;
  private maxLatencyMs = 0;
  private slowestMs = 0;
  private readonly latency = LatencySketch.empty();
  private readonly failures = new Map<string, number>();
  private readonly failureLatency = new Map<string, { sketch: LatencySketch; max: number }>();
  private readonly firstFailures: Failure[] = [];
  private readonly failureTimes: number[] = [];
  private readonly marks: Record<string, number> = {};
  private drained: (() => void) | undefined;

  constructor(private readonly options: OpenLoopOptions) {
    if (!(options.rate > 0)) throw new RangeError(`rate must be > 0, got ${options.rate}`);
    this.target = new URL(options.url);
    this.intervalMs = MS_PER_S / options.rate;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: options.connections ?? DEFAULT_CONNECTIONS,
      // The most recently used socket goes first, so sockets opened for a burst fall idle and
      // close (after AGENT_IDLE_MS, before the server's keep-alive timeout can race a request).
      scheduling: 'lifo',
      timeout: AGENT_IDLE_MS,
    });
    this.tick();
  }

  /** Milliseconds since the load started. */
  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Records a named moment, e.g. when a fault was injected. */
  mark(name: string): void {
    this.marks[name] = Math.round(this.elapsedMs());
  }

  /** Counts so far, while the load runs. */
  progress(): { sent: number; ok: number; failed: number; inFlight: number } {
    return {
      sent: this.sent,
      ok: this.ok,
      failed: this.failureTimes.length,
      inFlight: this.inFlight,
    };
  }

  /** Failures that happened after the given moment (ms after the start). */
  failedAfter(atMs: number): number {
    return this.failureTimes.filter((t) => t >= atMs).length;
  }

  /** Stops sending, waits for every request in flight to end (each has its deadline). */
  async stop(): Promise<LoadReport> {
    this.stopping = true;
    clearTimeout(this.timer);
    const seconds = this.elapsedMs() / MS_PER_S;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.agent.destroy();
    const q = (quantile: number) => round(this.latency.quantile(quantile));
    return {
      rate: this.options.rate,
      seconds: round(seconds),
      sent: this.sent,
      ok: this.ok,
      failed: this.failureTimes.length,
      failures: Object.fromEntries(this.failures),
      failureLatencyMs: Object.fromEntries(
        [...this.failureLatency].map(([kind, { sketch, max }]) => [
          kind,
          { p50: round(sketch.quantile(0.5)), max: round(max) },
        ]),
      ),
      slowestMs: round(this.slowestMs),
      firstFailures: this.firstFailures,
      timedOut: this.timedOut,
      latencyMs: { p50: q(0.5), p99: q(0.99), p999: q(0.999), max: round(this.maxLatencyMs) },
      marks: this.marks,
    };
  }

  /** Sockets the client holds now (in use or idle): none may be left behind. */
  openSockets(): number {
    const count = (sockets: NodeJS.ReadOnlyDict<unknown[]>) =>
      Object.values(sockets).reduce((sum, list) => sum + (list?.length ?? 0), 0);
    return count(this.agent.sockets) + count(this.agent.freeSockets);
  }

  private tick(): void {
    if (this.stopping) return;
    const now = performance.now();
    // Every request that has fallen due goes now: a late timer sends a burst, as a population
    // of independent clients would, and each is timed from its own due time.
    while (this.nextDue <= now) {
      this.send(this.nextDue);
      this.nextDue += this.intervalMs;
    }
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.nextDue - performance.now()));
  }

  private send(due: number): void {
    this.sent += 1;
    this.inFlight += 1;
    let settled = false;
    const settle = (kind: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      this.inFlight -= 1;
      const latency = performance.now() - due;
      if (latency > this.slowestMs) this.slowestMs = latency;
      if (kind === undefined) {
        this.ok += 1;
        this.latency.record(latency);
        if (latency > this.maxLatencyMs) this.maxLatencyMs = latency;
      } else {
        this.recordFailure(kind, latency);
      }
      if (this.stopping && this.inFlight === 0) this.drained?.();
    };
    const req = request(
      {
        agent: this.agent,
        host: this.target.hostname,
        port: this.target.port,
        path: `${this.target.pathname}${this.target.search}`,
        method: 'GET',
      },
      (res) => {
        res.resume();
        res.once('end', () =>
          settle(
            res.statusCode === 200
              ? undefined
              : `${res.statusCode} ${String(res.headers['x-weft-error'] ?? '')}`.trim(),
          ),
        );
        res.once('error', (error: NodeJS.ErrnoException) =>
          settle(`error ${error.code ?? error.message}`),
        );
      },
    );
    const deadline = setTimeout(() => {
      if (settled) return;
      this.timedOut += 1;
      settle('timeout');
      req.destroy();
    }, this.deadlineMs);
    req.once('error', (error: NodeJS.ErrnoException) =>
      settle(`error ${error.code ?? error.message}`),
    );
    req.end();
  }

  private recordFailure(kind: string, latencyMs: number): void {
    const atMs = Math.round(this.elapsedMs());
    this.failureTimes.push(atMs);
    this.failures.set(kind, (this.failures.get(kind) ?? 0) + 1);
    let latency = this.failureLatency.get(kind);
    if (latency === undefined) {
      latency = { sketch: LatencySketch.empty(), max: 0 };
      this.failureLatency.set(kind, latency);
    }
    latency.sketch.record(latencyMs);
    latency.max = Math.max(latency.max, latencyMs);
    if (this.firstFailures.length < FAILURES_KEPT) this.firstFailures.push({ atMs, kind });
  }
}

/**
 * The path's capacity: `connections` closed loops (each sends when its last answer arrived) for
 * `durationMs` after a warm-up, in completed 200s per second.
 */
export async function measureCapacity(
  url: string,
  options: { connections?: number; durationMs?: number; warmupMs?: number } = {},
): Promise<number> {
  const connections = options.connections ?? 32;
  const durationMs = options.durationMs ?? 3_000;
  // A fresh proxy's JIT needs a few seconds of load: measured cold, capacity reads a third low.
  const warmupMs = options.warmupMs ?? 3_000;
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const startedAt = performance.now();
  const endAt = startedAt + warmupMs + durationMs;
  let counted = 0;
  const call = () =>
    new Promise<boolean>((resolve) => {
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'GET' },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode === 200));
          res.once('error', () => resolve(false));
        },
      );
      req.once('error', () => resolve(false));
      req.end();
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < endAt) {
        const ok = await call();
        if (ok && performance.now() >= startedAt + warmupMs) counted += 1;
      }
    }),
  );
  agent.destroy();
  return Math.round((counted * MS_PER_S) / durationMs);
}

function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 100) / 100 : value;
}
