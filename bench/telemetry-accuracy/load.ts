// The load generator, run as its own process: an open loop at a fixed rate through proxy A,
// first a warm-up, then a quiet gap, then the measured window from a rollup-bucket boundary.
// Every request carries its own x-request-id (w-<n> in the warm-up, m-<n> in the window), so
// the calling proxy's access log line of each can be found; every window request's latency is
// timed here from just before it is handed to Node's HTTP client to the end of its response.
// Prints {"event":"warmed",...}, {"event":"window",start,end}, then {"event":"result",...};
// the window's per-request records go to --out.

import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  VERSION_HEADER,
  WARMUP_ID_PREFIX,
  type WarmupSummary,
  WINDOW_ID_PREFIX,
  type WindowRecords,
} from './records.ts';

const MS_PER_S = 1_000;
/** A request not answered in this time is an error. */
const REQUEST_TIMEOUT_MS = 10_000;

interface Outcome {
  readonly status: number;
  readonly version: string;
  readonly ms: number;
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    rate: { type: 'string' },
    'warmup-ms': { type: 'string' },
    'gap-ms': { type: 'string' },
    'bucket-ms': { type: 'string' },
    'duration-ms': { type: 'string' },
    connections: { type: 'string' },
    out: { type: 'string' },
  },
});
const target = new URL(values.url ?? '');
const intervalMs = MS_PER_S / Number(values.rate);
const warmupMs = Number(values['warmup-ms']);
const gapMs = Number(values['gap-ms']);
const bucketMs = Number(values['bucket-ms']);
const durationMs = Number(values['duration-ms']);
const out = values.out ?? '';
const agent = new Agent({ keepAlive: true, maxSockets: Number(values.connections) });

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function send(id: string): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const started = performance.now();
    const settle = (status: number, version: string) => {
      if (settled) return;
      settled = true;
      resolve({ status, version, ms: performance.now() - started });
    };
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'GET',
        headers: { 'x-request-id': id },
      },
      (res) => {
        const header = res.headers[VERSION_HEADER];
        const version = typeof header === 'string' ? header : '';
        res.resume();
        res.once('end', () => settle(res.statusCode ?? 0, version));
        res.once('error', () => settle(0, version));
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
    req.once('error', () => settle(0, ''));
    req.end();
  });
}

/**
 * Sends one request every intervalMs from `from` (performance.now() time) until `until`,
 * whatever the answers do; a late timer sends what fell due at once. Resolves when every
 * answer is in.
 */
async function openLoop(
  from: number,
  until: number,
  onSend: (index: number, lagMs: number) => Promise<void>,
): Promise<number> {
  const pending: Promise<void>[] = [];
  let index = 0;
  for (let due = from; due < until; due = from + index * intervalMs) {
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(onSend(index, performance.now() - due));
    index += 1;
  }
  await Promise.all(pending);
  return index;
}

// Warm-up: counted by version so the caller can check that none of it lands in the window.
const warmVersions: Record<string, number> = {};
let warmFailed = 0;
const warmStart = performance.now();
const warmSent = await openLoop(warmStart, warmStart + warmupMs, async (index) => {
  const outcome = await send(`${WARMUP_ID_PREFIX}${index}`);
  if (outcome.status === 0) warmFailed += 1;
  else warmVersions[outcome.version] = (warmVersions[outcome.version] ?? 0) + 1;
});
const warmed: WarmupSummary = { sent: warmSent, failed: warmFailed, byVersion: warmVersions };
emit({ event: 'warmed', ...warmed });

// The window opens at a bucket boundary at least gapMs after the last warm-up answer, so every
// warm-up request has been uploaded in a batch that ends before it.
const start = Math.ceil((Date.now() + gapMs) / bucketMs) * bucketMs;
const end = start + durationMs;
emit({ event: 'window', start, end });
const from = performance.now() + (start - Date.now());
const records: { -readonly [K in keyof WindowRecords]: WindowRecords[K] } = {
  start,
  end,
  clientMs: [],
  version: [],
  status: [],
  lagMs: [],
};
const sent = await openLoop(from, from + durationMs, async (index, lagMs) => {
  records.lagMs[index] = lagMs;
  const outcome = await send(`${WINDOW_ID_PREFIX}${index}`);
  records.clientMs[index] = outcome.status === 0 ? null : outcome.ms;
  records.version[index] = outcome.version;
  records.status[index] = outcome.status;
});
await writeFile(out, JSON.stringify(records));
agent.destroy();
emit({ event: 'result', sent, completedAt: Date.now(), file: out });
