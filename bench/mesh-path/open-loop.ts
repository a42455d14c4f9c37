// Open-loop load generator, run as its own process: sends at a fixed rate whatever the
// responses do, and times each request from when it was due to be sent, so a stall shows in
// the latencies of every request it delayed (no coordinated omission, as in wrk2).
// Prints {"event":"recording"}, then {"event":"stopped"}, then {"event":"result",...}.

import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { percentiles } from './percentiles.ts';

const MS_PER_S = 1_000;
/** A request not answered in this time is an error. */
const REQUEST_TIMEOUT_MS = 5_000;
/** Room for requests sent late in catch-up bursts. */
const SAMPLE_HEADROOM = 1.1;

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    rate: { type: 'string' },
    'warmup-ms': { type: 'string' },
    'duration-ms': { type: 'string' },
    connections: { type: 'string' },
  },
});
const target = new URL(values.url ?? '');
const rate = Number(values.rate);
const warmupMs = Number(values['warmup-ms']);
const durationMs = Number(values['duration-ms']);
const intervalMs = MS_PER_S / rate;

// Enough sockets that a slow response never holds back the next send; the agent reuses the
// most recently freed one, so a steady rate needs only a few.
const agent = new Agent({ keepAlive: true, maxSockets: Number(values.connections) });
const capacity = Math.ceil((rate * durationMs * SAMPLE_HEADROOM) / MS_PER_S);
/** Completion time minus the time the request was due. */
const latencies = new Float64Array(capacity);
/** Actual send time minus due time: the generator's own timer lateness, its noise floor. */
const lags = new Float64Array(capacity);
let completed = 0;
let lagCount = 0;
let sent = 0;
let errors = 0;
let non2xx = 0;
let inFlight = 0;

const startedAt = performance.now();
const recordFrom = startedAt + warmupMs;
const endAt = recordFrom + durationMs;
let nextDue = startedAt;
let recording = false;

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function send(due: number): void {
  const recorded = due >= recordFrom;
  if (recorded) {
    sent += 1;
    if (lagCount < capacity) lags[lagCount++] = performance.now() - due;
  }
  inFlight += 1;
  const settle = (ok: boolean, status: number) => {
    inFlight -= 1;
    if (!recorded) return;
    if (!ok) errors += 1;
    else {
      if (status < 200 || status > 299) non2xx += 1;
      if (completed < capacity) latencies[completed++] = performance.now() - due;
    }
    if (!recording && inFlight === 0 && nextDue >= endAt) finish();
  };
  const req = request(
    { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'GET' },
    (res) => {
      res.resume();
      res.once('end', () => settle(true, res.statusCode ?? 0));
      res.once('error', () => settle(false, 0));
    },
  );
  req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
  req.once('error', () => settle(false, 0));
  req.end();
}

function tick(): void {
  const now = performance.now();
  if (!recording && now >= recordFrom && now < endAt) {
    recording = true;
    emit({ event: 'recording' });
  }
  // Every request that has fallen due goes now: a late timer sends a burst, as a real
  // client population would, and each is timed from its own due time.
  while (nextDue <= now && nextDue < endAt) {
    send(nextDue);
    nextDue += intervalMs;
  }
  if (nextDue < endAt) {
    setTimeout(tick, Math.max(0, nextDue - performance.now()));
    return;
  }
  recording = false;
  emit({ event: 'stopped' });
  if (inFlight === 0) finish();
}

let finished = false;
function finish(): void {
  if (finished) return;
  finished = true;
  emit({
    event: 'result',
    sent,
    completed,
    errors,
    non2xx,
    seconds: durationMs / MS_PER_S,
    latencyMs: percentiles(latencies.subarray(0, completed)),
    lagMs: percentiles(lags.subarray(0, lagCount)),
  });
  agent.destroy();
}

tick();
