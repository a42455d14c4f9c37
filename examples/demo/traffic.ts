// The demo's traffic: a steady stream of requests to the frontend, with a running summary.

import { request } from 'undici';

const REPORT_EVERY_MS = 5_000;

export interface TrafficSummary {
  requests: number;
  failures: number;
  latenciesMs: number[];
}

/** Sends `perSecond` requests a second until `signal` aborts; prints a line every few seconds. */
export async function generateTraffic(
  url: string,
  perSecond: number,
  signal: AbortSignal,
  print: (line: string) => void,
): Promise<void> {
  let window: TrafficSummary = { requests: 0, failures: 0, latenciesMs: [] };
  const report = setInterval(() => {
    const sorted = [...window.latenciesMs].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(1) ?? '-';
    const rate = (window.requests / (REPORT_EVERY_MS / 1_000)).toFixed(0);
    const success =
      window.requests === 0
        ? '-'
        : (((window.requests - window.failures) / window.requests) * 100).toFixed(2);
    print(
      `traffic: ${rate} req/s to the frontend, ${success}% ok, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`,
    );
    window = { requests: 0, failures: 0, latenciesMs: [] };
  }, REPORT_EVERY_MS);
  const interval = 1_000 / perSecond;
  let next = performance.now();
  while (!signal.aborted) {
    next += interval;
    const started = performance.now();
    request(url)
      .then(async (response) => {
        await response.body.dump();
        window.requests += 1;
        if (response.statusCode >= 500) window.failures += 1;
        window.latenciesMs.push(performance.now() - started);
      })
      .catch(() => {
        if (!signal.aborted) {
          window.requests += 1;
          window.failures += 1;
        }
      });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  clearInterval(report);
}
