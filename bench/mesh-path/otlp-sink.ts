// A stand-in OTLP/HTTP collector for the telemetry comparison: takes every export, answers 200,
// keeps nothing. Its own process, so its CPU is not counted as a proxy's. Prints {"port":N}.

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  req.resume();
  req.once('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
process.once('SIGTERM', () => process.exit(0));
