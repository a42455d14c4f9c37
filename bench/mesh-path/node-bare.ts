// A bare Node sidecar: the least a Node forwarder can do — node:http (or node:https with a
// required client certificate) in, undici's dispatch() out (its lowest-level API, as Weft uses
// it), headers relayed, bodies streamed with backpressure — and nothing else: no routing, policy, retries, timeouts, metrics or tracing. A pair of these in
// place of the Weft proxies shows what the runtime charges any straightforward Node sidecar for
// the two hops with mTLS, beside what Weft costs. Bundled by node-bare-path.ts and run with
// plain node. Prints {"port":N} once listening.
//
//   node node-bare.mjs --role outbound --target https://127.0.0.1:B --cert … --key … --ca …
//   node node-bare.mjs --role inbound  --target http://127.0.0.1:S  --cert … --key … --ca …

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { type Dispatcher, Pool } from 'undici';

/** As many as the load generator's connections, so no request waits for a pooled socket. */
const POOL_CONNECTIONS = 64;
/** RFC 9110 §7.6.1: never relayed. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    target: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    ca: { type: 'string' },
  },
  strict: true,
});
const { role, target, cert, key, ca } = values;
if ((role !== 'outbound' && role !== 'inbound') || !target || !cert || !key || !ca) {
  throw new Error('node-bare needs --role outbound|inbound, --target, --cert, --key and --ca');
}
const tls = { cert: readFileSync(cert), key: readFileSync(key), ca: readFileSync(ca) };

const pool = new Pool(target, {
  connections: POOL_CONNECTIONS,
  // The outbound side verifies the peer's chain; its identity is a SPIFFE URI, not a host name.
  ...(role === 'outbound' ? { connect: { ...tls, checkServerIdentity: () => undefined } } : {}),
});

function endToEnd(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** Streams the answer into res as undici delivers it, with backpressure: Weft's own approach. */
function forward(req: IncomingMessage, res: ServerResponse): void {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] ?? '0') !== '0';
  pool.dispatch(
    {
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      path: req.url ?? '/',
      headers: endToEnd(req.headers),
      body: hasBody ? req : null,
    },
    {
      // undici takes a handler with onRequestStart as one of its controller-based API.
      onRequestStart() {},
      onResponseStart(_controller, statusCode, headers) {
        res.writeHead(statusCode, endToEnd(headers));
      },
      onResponseData(controller, chunk) {
        if (!res.write(chunk)) {
          controller.pause();
          res.once('drain', () => controller.resume());
        }
      },
      onResponseEnd() {
        res.end();
      },
      onResponseError() {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      },
    },
  );
}

const server =
  role === 'inbound'
    ? createHttpsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, forward)
    : createHttpServer(forward);
server.listen(0, '127.0.0.1');
await once(server, 'listening');
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
process.once('SIGTERM', () => process.exit(0));
