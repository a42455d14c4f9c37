// One small program plays every service of the demo shop. Each is an ordinary HTTP server that
// knows nothing of the mesh: it calls its upstreams on the localhost ports its proxy opens.
// Usage: node --import tsx demo-service.ts <service> <version> <port> [<proxy outbound address>]

import { createServer } from 'node:http';
import { request } from 'undici';

interface Behaviour {
  /** Local proxy ports of the upstreams it calls (from examples/mesh.yaml) and the path. */
  readonly calls: readonly { port: number; path: string }[];
  readonly baseLatencyMs: number;
  /** Share of requests that take SLOW_PATH_MS longer: the tail the percentiles should show. */
  readonly slowShare: number;
  readonly errorShare: number;
}

const SLOW_PATH_MS = 120;

const BEHAVIOUR: Record<string, Behaviour> = {
  'frontend/v1': {
    calls: [
      { port: 9001, path: '/products' },
      { port: 9002, path: '/reviews/42' },
    ],
    baseLatencyMs: 2,
    slowShare: 0,
    errorShare: 0,
  },
  'catalog/v1': {
    calls: [{ port: 9003, path: '/stock' }],
    baseLatencyMs: 5,
    slowShare: 0.01,
    errorShare: 0.001,
  },
  'catalog/v2': {
    calls: [{ port: 9003, path: '/stock' }],
    baseLatencyMs: 4,
    slowShare: 0.01,
    errorShare: 0.001,
  },
  // The bad canary: every call slower than the Rollout's 300 ms p99 limit, and some fail.
  'catalog/v3': {
    calls: [{ port: 9003, path: '/stock' }],
    baseLatencyMs: 320,
    slowShare: 0.2,
    errorShare: 0.15,
  },
  'inventory/v1': { calls: [], baseLatencyMs: 1, slowShare: 0.005, errorShare: 0 },
  'reviews/v1': {
    calls: [{ port: 9004, path: '/ratings/42' }],
    baseLatencyMs: 3,
    slowShare: 0.03,
    errorShare: 0.005,
  },
  'ratings/v1': { calls: [], baseLatencyMs: 1, slowShare: 0.02, errorShare: 0.01 },
};

const [service = '', version = '', portText = '', proxyAddress = '127.0.0.1'] =
  process.argv.slice(2);
const behaviour = BEHAVIOUR[`${service}/${version}`];
const port = Number(portText);
if (behaviour === undefined || !Number.isInteger(port)) {
  process.stderr.write(`usage: demo-service.ts <${Object.keys(BEHAVIOUR).join('|')}> <port>\n`);
  process.exit(2);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const server = createServer(async (req, res) => {
  try {
    await sleep(behaviour.baseLatencyMs + (Math.random() < behaviour.slowShare ? SLOW_PATH_MS : 0));
    if (Math.random() < behaviour.errorShare) {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ service, version, error: 'simulated failure' }));
      return;
    }
    const upstream = await Promise.all(
      behaviour.calls.map(async ({ port: upstreamPort, path }) => {
        const url = `http://${proxyAddress}:${upstreamPort}${path}`;
        // The trace context the proxy added travels on, so both hops join one trace.
        const traceparent = req.headers.traceparent;
        const answer = await request(url, {
          headers: typeof traceparent === 'string' ? { traceparent } : {},
        });
        return {
          url,
          status: answer.statusCode,
          body: (await answer.body.json().catch(() => null)) as unknown,
        };
      }),
    );
    const failed = upstream.find((u) => u.status >= 500);
    res.writeHead(failed ? 502 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ service, version, path: req.url, upstream }));
  } catch (error) {
    res
      .writeHead(502, { 'content-type': 'application/json' })
      .end(JSON.stringify({ service, version, error: String(error) }));
  }
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
