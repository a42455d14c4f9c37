// Hostile callers at both doors of the proxy, the local app's plaintext port (outbound) and the
// mTLS port (inbound): malformed HTTP, smuggling attempts, oversized and slow heads, idle
// connections. Each is refused with the right status or a closed connection, counted by reason,
// never forwarded, and the proxy goes on serving everyone else.

import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from './harness.ts';
import { startTestMesh, TEST_MESH, type TestMesh } from './mesh-fixture.ts';
import {
  collect,
  counter,
  exchange,
  type Opener,
  plainOpener,
  sleep,
  tlsMaterial,
  tlsOpener,
} from './raw-http.ts';

const ROUTE = `
    - backendRefs: [{ name: server, version: v1 }]`;
const DENY_ADMIN = `---
apiVersion: weft.dev/v1alpha1
kind: AccessPolicy
metadata: { name: no-admin, namespace: shop }
spec:
  targetRef: { name: server }
  action: deny
  from: [{ namespace: shop }]
  paths: [/admin/*]`;

/** Small on purpose, so that each limit is met in a test's time. */
const LIMITS = { maxHeaderBytes: 8_192, headersTimeoutMs: 1_000, idleTimeoutMs: 1_000 };
/** Node keeps an idle connection this much past keepAliveTimeout, so clients close first. */
const NODE_KEEP_ALIVE_GRACE_MS = 1_000;
/** Scheduling slack on a loaded 2-core machine. */
const SLACK_MS = 1_500;

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nhost: server\r\n\r\n';

interface Case {
  readonly name: string;
  readonly reason: 'malformed' | 'smuggling';
  readonly bytes: (path: string) => string;
}

const malformed = (name: string, bytes: (path: string) => string): Case => ({
  name,
  reason: 'malformed',
  bytes,
});
const chunked = (name: string, body: string) =>
  malformed(
    name,
    (p) =>
      `POST ${p} HTTP/1.1\r\nhost: server\r\ntransfer-encoding: chunked\r\n\r\n${body}${SMUGGLED}`,
  );
const upgrade = (target: string) =>
  `GET ${target} HTTP/1.1\r\nhost: server\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n`;

const MALFORMED: Case[] = [
  malformed('garbage request line', () => 'GARBAGE\r\n\r\n'),
  malformed('invalid header name', (p) => `GET ${p} HTTP/1.1\r\nhost: server\r\nba d: x\r\n\r\n`),
  malformed(
    'control byte in a value',
    (p) => `GET ${p} HTTP/1.1\r\nhost: server\r\nx-a: 1\x012\r\n\r\n`,
  ),
  malformed('NUL in a value', (p) => `GET ${p} HTTP/1.1\r\nhost: server\r\nx-a: 1\x002\r\n\r\n`),
  malformed('NUL in a name', (p) => `GET ${p} HTTP/1.1\r\nhost: server\r\nx-\x00a: 1\r\n\r\n`),
  malformed('NUL in the target', (p) => `GET ${p}\x00 HTTP/1.1\r\nhost: server\r\n\r\n`),
  malformed('bare LF everywhere', (p) => `GET ${p} HTTP/1.1\nhost: server\n\n`),
  malformed('bare LF after a header', (p) => `GET ${p} HTTP/1.1\r\nhost: server\nx-a: 1\r\n\r\n`),
  malformed(
    'obsolete line folding',
    (p) => `GET ${p} HTTP/1.1\r\nhost: server\r\nx-a: 1\r\n 2\r\n\r\n`,
  ),
  malformed('missing Host', (p) => `GET ${p} HTTP/1.1\r\n\r\n`),
  malformed('two Host headers', (p) => `GET ${p} HTTP/1.1\r\nhost: server\r\nhost: evil\r\n\r\n`),
  malformed('asterisk target', () => 'GET * HTTP/1.1\r\nhost: server\r\n\r\n'),
  malformed(
    'URL with a bad port',
    () => 'GET http://server:99999/ HTTP/1.1\r\nhost: server\r\n\r\n',
  ),
  malformed('Upgrade with an asterisk target', () => upgrade('*')),
  malformed('Upgrade to a URL with a bad port', () => upgrade('http://server:99999/')),
  chunked('bad chunk size', 'zz\r\nhello\r\n0\r\n\r\n'),
  chunked('chunk data without its CRLF', '5\r\nhelloXX0\r\n\r\n'),
  chunked('bare LF in chunk framing', '5\nhello\n0\n\n'),
  chunked('chunk size overflow', 'FFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n'),
];

const post = (p: string, headers: string, body = `0\r\n\r\n${SMUGGLED}`, version = '1.1') =>
  `POST ${p} HTTP/${version}\r\nhost: server\r\n${headers}\r\n${body}`;
const attack = (name: string, reason: Case['reason'], bytes: (path: string) => string): Case => ({
  name,
  reason,
  bytes,
});

const SMUGGLING: Case[] = [
  attack('Content-Length and Transfer-Encoding', 'smuggling', (p) =>
    post(p, 'content-length: 5\r\ntransfer-encoding: chunked\r\n'),
  ),
  attack('Transfer-Encoding and Content-Length', 'smuggling', (p) =>
    post(p, 'transfer-encoding: chunked\r\ncontent-length: 5\r\n'),
  ),
  attack('two different Content-Lengths', 'smuggling', (p) =>
    post(p, `content-length: 0\r\ncontent-length: ${SMUGGLED.length}\r\n`, SMUGGLED),
  ),
  attack('two equal Content-Lengths', 'smuggling', (p) =>
    post(p, 'content-length: 0\r\ncontent-length: 0\r\n', SMUGGLED),
  ),
  attack('a Content-Length list', 'smuggling', (p) =>
    post(p, 'content-length: 0, 0\r\n', SMUGGLED),
  ),
  attack('a signed Content-Length', 'smuggling', (p) =>
    post(p, 'content-length: +0\r\n', SMUGGLED),
  ),
  attack('chunked, identity', 'smuggling', (p) =>
    post(p, 'transfer-encoding: chunked, identity\r\n'),
  ),
  attack('identity, chunked', 'smuggling', (p) =>
    post(p, 'transfer-encoding: identity, chunked\r\n'),
  ),
  attack('chunked, then identity in a second header', 'smuggling', (p) =>
    post(p, 'transfer-encoding: chunked\r\ntransfer-encoding: identity\r\n'),
  ),
  attack('chunked twice', 'smuggling', (p) =>
    post(p, 'transfer-encoding: chunked\r\ntransfer-encoding: chunked\r\n'),
  ),
  attack('gzip, chunked', 'smuggling', (p) => post(p, 'transfer-encoding: gzip, chunked\r\n')),
  attack('xchunked', 'smuggling', (p) => post(p, 'transfer-encoding: xchunked\r\n')),
  attack('Transfer-Encoding in HTTP/1.0', 'smuggling', (p) =>
    post(p, 'transfer-encoding: chunked\r\n', undefined, '1.0'),
  ),
  attack('space before the colon', 'malformed', (p) => post(p, 'transfer-encoding : chunked\r\n')),
  attack('vertical tab in the value', 'malformed', (p) =>
    post(p, 'transfer-encoding: \x0bchunked\r\n'),
  ),
  attack('folded Transfer-Encoding', 'malformed', (p) =>
    post(p, 'transfer-encoding: identity\r\n chunked\r\n'),
  ),
];

describe('hostile input', () => {
  let mesh: TestMesh;
  let outbound: Opener;
  let inbound: Opener;
  /** Every byte the upstream service received, on every connection, in arrival order. */
  const wire: string[] = [];
  const seen = () => wire.join('');
  const rejected = (direction: 'outbound' | 'inbound', reason?: string) =>
    counter(
      direction === 'outbound' ? mesh.proxies.client : mesh.proxies.v1,
      'weft_http_rejections_total',
      { direction, ...(reason === undefined ? {} : { reason }) },
    );

  beforeAll(async () => {
    mesh = await startTestMesh(TEST_MESH(ROUTE, DENY_ADMIN), {
      sections: { client: { limits: LIMITS }, v1: { limits: LIMITS } },
      handlers: {
        v1: async (req, res) => {
          // Bodies cut short by a refused caller end in an error here; that is expected.
          const body = await readBody(req).catch(() => undefined);
          if (body === undefined) return;
          res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.url} ${body.length}`);
        },
      },
    });
    mesh.services.v1.server.on('connection', (socket: Socket) => {
      socket.on('data', (chunk: Buffer) => wire.push(chunk.toString('latin1')));
    });
    outbound = plainOpener(mesh.proxies.client.ports.httpProxy ?? 0);
    inbound = tlsOpener(mesh.proxies.v1.ports.inbound, await tlsMaterial(mesh.files.client));
  });
  afterAll(async () => {
    await mesh?.close();
  });

  /** A plain request through the whole mesh, to show the proxies still serve. */
  async function stillServes(path = '/still-serving'): Promise<void> {
    const answer = await exchange(
      outbound,
      `GET ${path} HTTP/1.1\r\nhost: server\r\nconnection: close\r\n\r\n`,
    );
    expect(answer.status).toBe('HTTP/1.1 200 OK');
    expect(answer.text).toContain(`${path} 0`);
  }

  for (const [direction, open] of [
    ['outbound', () => outbound],
    ['inbound', () => inbound],
  ] as const) {
    it(`refuses malformed HTTP on the ${direction} listener with 400 and closes`, async () => {
      const before = await rejected(direction, 'malformed');
      for (const [i, { name, bytes }] of MALFORMED.entries()) {
        const answer = await exchange(open(), bytes(`/malformed-${direction}-${i}`));
        expect({ name, status: answer.status, closed: answer.closed }).toEqual({
          name,
          status: 'HTTP/1.1 400 Bad Request',
          closed: true,
        });
      }
      expect((await rejected(direction, 'malformed')) - before).toBe(MALFORMED.length);
      expect(seen().includes('/smuggled')).toBe(false);
      await stillServes();
    });

    it(`refuses smuggling attempts on the ${direction} listener, and never forwards them`, async () => {
      const before = {
        smuggling: await rejected(direction, 'smuggling'),
        malformed: await rejected(direction, 'malformed'),
      };
      for (const [i, { name, bytes }] of SMUGGLING.entries()) {
        const answer = await exchange(open(), bytes(`/attack-${direction}-${i}`));
        expect({ name, status: answer.status, closed: answer.closed }).toEqual({
          name,
          status: 'HTTP/1.1 400 Bad Request',
          closed: true,
        });
      }
      // The recorder does see what is forwarded: two pipelined requests arrive as two.
      const control = await exchange(
        open(),
        `POST /control-1 HTTP/1.1\r\nhost: server\r\ncontent-length: 0\r\n\r\nGET /control-2 HTTP/1.1\r\nhost: server\r\nconnection: close\r\n\r\n`,
      );
      expect(control.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
      const received = seen();
      expect(received).toMatch(/^POST \/control-1 HTTP\/1\.1\r$/m);
      expect(received).toMatch(/^GET \/control-2 HTTP\/1\.1\r$/m);
      // Not toContain: a failure would print every byte the service received.
      expect(received.includes('/attack-')).toBe(false);
      expect(received.includes('/smuggled')).toBe(false);
      const count = (reason: Case['reason']) => SMUGGLING.filter((c) => c.reason === reason).length;
      expect((await rejected(direction, 'smuggling')) - before.smuggling).toBe(count('smuggling'));
      expect((await rejected(direction, 'malformed')) - before.malformed).toBe(count('malformed'));
    });

    it(`answers 431 to a head over limits.maxHeaderBytes on the ${direction} listener`, async () => {
      const before = await rejected(direction, 'headers-too-large');
      const head = (bytes: number) =>
        `GET /big-head HTTP/1.1\r\nhost: server\r\nx-big: ${'a'.repeat(bytes)}\r\nconnection: close\r\n\r\n`;
      const under = await exchange(open(), head(LIMITS.maxHeaderBytes - 2_048));
      expect(under.status).toBe('HTTP/1.1 200 OK');
      const over = await exchange(open(), head(LIMITS.maxHeaderBytes + 1));
      expect([over.status, over.closed]).toEqual([
        'HTTP/1.1 431 Request Header Fields Too Large',
        true,
      ]);
      // Many small headers count the same as one large one.
      const many = `GET /many HTTP/1.1\r\nhost: server\r\n${'x-h: 0123456789\r\n'.repeat(1_000)}\r\n`;
      expect((await exchange(open(), many)).status).toBe(
        'HTTP/1.1 431 Request Header Fields Too Large',
      );
      expect((await rejected(direction, 'headers-too-large')) - before).toBe(2);
    });
  }

  it('matches access policy on the normalised path of any spelling of the target, both ways in', async () => {
    for (const open of [outbound, inbound]) {
      for (const target of [
        'http://server/admin/users',
        '/public/../admin/users',
        '/%61dmin/users',
        '/public/%2e%2e/admin/users',
      ]) {
        const denied = await exchange(
          open,
          `GET ${target} HTTP/1.1\r\nhost: server\r\nconnection: close\r\n\r\n`,
        );
        expect({ target, status: denied.status }).toEqual({
          target,
          status: 'HTTP/1.1 403 Forbidden',
        });
        expect(denied.text).toContain('AccessPolicy/shop/no-admin');
      }
    }
    expect(seen()).not.toContain('admin');
  });

  it('closes slow and silent heads after limits.headersTimeoutMs, and serves others meanwhile', async () => {
    const before = {
      outbound: await rejected('outbound', 'headers-timeout'),
      inbound: await rejected('inbound', 'headers-timeout'),
    };
    /** Writes the head a byte every 50 ms, never finishing it. */
    const drip = async (open: Opener) => {
      const socket = await open();
      const head = Buffer.from(`GET /slow HTTP/1.1\r\nhost: server\r\n${'x-a: 1\r\n'.repeat(100)}`);
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < head.length && !socket.destroyed) socket.write(head.subarray(sent, ++sent));
      }, 50);
      const result = await collect(socket, LIMITS.headersTimeoutMs + SLACK_MS + 2_000);
      clearInterval(timer);
      return result;
    };
    const stall = async (open: Opener, bytes: string) => exchange(open, bytes, 10_000);
    const slowClients = Promise.all([
      drip(outbound),
      drip(inbound),
      stall(outbound, 'GET /stalled HTTP/1.1\r\nhost: server\r\n'),
      stall(inbound, 'GET /stalled HTTP/1.1\r\nhost: server\r\n'),
      stall(outbound, ''),
      stall(inbound, ''),
    ]);
    await sleep(200);
    const served = performance.now();
    await stillServes('/while-slow');
    expect(performance.now() - served).toBeLessThan(SLACK_MS);
    for (const slow of await slowClients) {
      expect(slow.closed).toBe(true);
      expect(slow.elapsedMs).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 100);
      expect(slow.elapsedMs).toBeLessThan(LIMITS.headersTimeoutMs + SLACK_MS);
      if (slow.text !== '') expect(slow.status).toBe('HTTP/1.1 408 Request Timeout');
    }
    expect((await rejected('outbound', 'headers-timeout')) - before.outbound).toBe(3);
    expect((await rejected('inbound', 'headers-timeout')) - before.inbound).toBe(3);
    expect(seen()).not.toContain('/slow');
    expect(seen()).not.toContain('/stalled');
  });

  it('closes a keep-alive connection idle for limits.idleTimeoutMs', async () => {
    const idle = (proxy: 'client' | 'v1') =>
      counter(mesh.proxies[proxy], 'weft_idle_connections_closed_total');
    const before = { client: await idle('client'), v1: await idle('v1') };
    const results = await Promise.all(
      [outbound, inbound].map(async (open) => {
        const socket = await open();
        socket.write('GET /keep HTTP/1.1\r\nhost: server\r\n\r\n');
        let answered = 0;
        socket.once('data', () => {
          answered = performance.now();
        });
        const result = await collect(socket, 10_000);
        return { ...result, idleMs: performance.now() - answered };
      }),
    );
    for (const result of results) {
      expect(result.status).toBe('HTTP/1.1 200 OK');
      expect(result.text).toMatch(/keep-alive: timeout=1/i);
      expect(result.closed).toBe(true);
      expect(result.idleMs).toBeGreaterThanOrEqual(LIMITS.idleTimeoutMs - 100);
      expect(result.idleMs).toBeLessThan(
        LIMITS.idleTimeoutMs + NODE_KEEP_ALIVE_GRACE_MS + SLACK_MS,
      );
    }
    expect((await idle('client')) - before.client).toBeGreaterThanOrEqual(1);
    expect((await idle('v1')) - before.v1).toBeGreaterThanOrEqual(1);
  });
});
