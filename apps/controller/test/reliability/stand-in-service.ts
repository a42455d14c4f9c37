// A service of a reliability mesh, in its own process so that it can be killed: plain HTTP on
// 127.0.0.1, answers every request with its name. A JSON line on stdin such as {"delayMs":500}
// makes every answer that much slower (0 restores it): the slow-upstream fault.
// Usage: node --import tsx stand-in-service.ts <name> <port>

import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

const [name = 'service', portText = ''] = process.argv.slice(2);
const port = Number(portText);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: stand-in-service.ts <name> <port>\n');
  process.exit(2);
}

let delayMs = 0;
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { delayMs?: unknown };
  if (typeof command.delayMs === 'number' && command.delayMs >= 0) delayMs = command.delayMs;
});

const body = Buffer.from(name);
const server = createServer((req, res) => {
  req.resume();
  const answer = () =>
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body);
  if (delayMs > 0) setTimeout(answer, delayMs);
  else answer();
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
