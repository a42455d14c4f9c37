// The service's two versions, run as one process beside the proxies: v1 answers in about 5 ms,
// v2 in about 50 ms with a wide spread, so the two latency distributions are far apart and the
// percentiles have something to be wrong about. Prints {"v1":port,"v2":port}.

import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** v1: uniform between these (ms). */
const V1_MIN_MS = 4;
const V1_MAX_MS = 6;
/** v2: log-normal around this median (ms) with this sigma: p99 about 1.8 x the median. */
const V2_MEDIAN_MS = 50;
const V2_SIGMA = 0.25;
/** Longer than any caller's idle timeout, so connections are closed by the callers. */
const KEEP_ALIVE_TIMEOUT_MS = 120_000;

/** A standard normal draw (Box-Muller). */
function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

const delays: Record<string, () => number> = {
  v1: () => V1_MIN_MS + Math.random() * (V1_MAX_MS - V1_MIN_MS),
  v2: () => V2_MEDIAN_MS * Math.exp(V2_SIGMA * normal()),
};

async function serve(version: string, delay: () => number): Promise<Server> {
  const body = Buffer.from(`${version}\n`);
  const server = createServer((req, res) => {
    req.resume();
    setTimeout(() => {
      res.writeHead(200, {
        'content-type': 'text/plain',
        'content-length': body.length,
        'x-bench-version': version,
      });
      res.end(body);
    }, delay());
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const ports: Record<string, number> = {};
for (const [version, delay] of Object.entries(delays)) {
  ports[version] = ((await serve(version, delay)).address() as AddressInfo).port;
}
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.once('SIGTERM', () => process.exit(0));
