// The console's HTTP server: Next.js behind node:http, so the /trpc forwarder learns the
// browser's real address and scheme. `next start` keeps an X-Forwarded-For or X-Forwarded-Proto
// the browser sent itself (it only fills them in when absent), and a route handler cannot see
// the socket; here both are overwritten from the socket before Next reads them, unless
// WEFT_TRUST_FORWARDED_FOR=1 says an ingress in front already overwrites them.
// Usage: node --import tsx server.ts [--port 3000] [--hostname 127.0.0.1]

import { createServer } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parseArgs } from 'node:util';
import next from 'next';
import { SOCKET_HEADERS_MARK } from './src/trpc/forwarding.ts';

const DEFAULT_PORT = 3000;
const DEFAULT_HOSTNAME = '127.0.0.1';

const { values } = parseArgs({
  options: { port: { type: 'string' }, hostname: { type: 'string' } },
});
const port = Number(values.port ?? process.env.PORT ?? DEFAULT_PORT);
if (!Number.isInteger(port) || port < 0 || port > 65_535)
  throw new Error(`--port: expected a port number, got "${values.port ?? process.env.PORT}"`);
const hostname = values.hostname ?? DEFAULT_HOSTNAME;
const trustIngress = process.env.WEFT_TRUST_FORWARDED_FOR === '1';

const app = next({ dev: false, dir: import.meta.dirname, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();
if (!trustIngress) (globalThis as Record<symbol, unknown>)[SOCKET_HEADERS_MARK] = true;

createServer((req, res) => {
  if (!trustIngress) {
    req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    req.headers['x-forwarded-proto'] = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  }
  void handle(req, res);
}).listen(port, hostname, () => {
  process.stdout.write(`weft console on http://${hostname}:${port}\n`);
});
