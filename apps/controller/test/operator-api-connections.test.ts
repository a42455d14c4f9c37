// Hostile connections to the operator API over raw sockets: one that never sends a byte and one
// that trickles its head are closed within the head timeout, as the proxies close theirs.

import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_HEADERS_TIMEOUT_MS } from '../src/api/http-server.ts';
import { type AdminController, startAdminController } from './admin-controller.ts';

/** Node looks for overdue heads once a second here; a little more for a busy machine. */
const SLACK_MS = 2_500;

interface Closed {
  readonly afterMs: number;
  readonly answer: string;
}

/** Opens a connection, lets `talk` use it, and says when (and with what) the server closed it. */
function closedWithin(
  apiUrl: string,
  limitMs: number,
  talk: (socket: Socket) => void,
): Promise<Closed | 'still open'> {
  const url = new URL(apiUrl);
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', () => undefined);
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve('still open');
    }, limitMs);
    socket.once('close', () => {
      clearTimeout(giveUp);
      resolve({ afterMs: performance.now() - started, answer });
    });
    socket.once('connect', () => talk(socket));
  });
}

describe('operator API connections', () => {
  let c: AdminController;

  beforeAll(async () => {
    c = await startAdminController('connections');
  });
  afterAll(async () => {
    await c?.controller.close();
  });

  it('closes a silent connection and a trickling head within the head timeout', async () => {
    const limit = API_HEADERS_TIMEOUT_MS + SLACK_MS;
    let trickle: NodeJS.Timeout | undefined;
    const [silent, trickled] = await Promise.all([
      closedWithin(c.controller.apiUrl, limit, () => undefined),
      closedWithin(c.controller.apiUrl, limit, (socket) => {
        socket.write('POST /trpc/config.validate HTTP/1.1\r\nhost: weft\r\n');
        // One byte of a never-ending header every half second: never idle, never done.
        trickle = setInterval(() => {
          if (socket.writable) socket.write('x');
        }, 500);
        socket.write('x-slow: ');
      }),
    ]);
    clearInterval(trickle);
    expect(silent).not.toBe('still open');
    expect(trickled).not.toBe('still open');
    for (const closed of [silent, trickled] as Closed[])
      expect(closed.afterMs).toBeGreaterThan(API_HEADERS_TIMEOUT_MS - SLACK_MS);
    expect((trickled as Closed).answer).toMatch(/^HTTP\/1\.1 408 /);
    // The API still answers everyone else.
    expect((await fetch(`${c.controller.apiUrl}/healthz`)).status).toBe(200);
  }, 30_000);
});
