// The service behind every path: a plain Node HTTP server with a small fixed body, run as its
// own process so its CPU is neither a proxy's nor the load generator's. Prints {"port":N}.

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.from('{"service":"server","ok":true}\n');
/** Longer than any client's idle timeout, so connections are closed by the callers. */
const KEEP_ALIVE_TIMEOUT_MS = 120_000;

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
  res.end(BODY);
});
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
server.listen(0, '127.0.0.1');
await once(server, 'listening');
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
process.once('SIGTERM', () => process.exit(0));
