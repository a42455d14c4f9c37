// Raw sockets for hostile-input tests: bytes no HTTP client would send, written as is, and what
// came back until the proxy closed the connection. Also reads counters off the admin port.

import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import type { RunningProxy } from '../src/proxy.ts';
import type { ProxyFiles } from './harness.ts';

export interface Exchange {
  /** Everything received, as latin1 text. */
  readonly text: string;
  /** The first status line received, or "". */
  readonly status: string;
  /** Whether the proxy closed the connection before the deadline. */
  readonly closed: boolean;
  readonly elapsedMs: number;
}

export type Opener = () => Promise<Socket | TLSSocket>;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function plainOpener(port: number): Opener {
  return async () => {
    const socket = createConnection({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return socket;
  };
}

export async function tlsMaterial(files: ProxyFiles) {
  const [cert, key, ca] = await Promise.all([
    readFile(files.certFile),
    readFile(files.keyFile),
    readFile(files.trustBundleFile),
  ]);
  return { cert, key, ca };
}

/** mTLS as a peer proxy would speak it, with the given certificate. */
export function tlsOpener(port: number, material: { cert: Buffer; key: Buffer; ca: Buffer }) {
  return async (): Promise<TLSSocket> => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ...material,
      checkServerIdentity: () => undefined,
    });
    await once(socket, 'secureConnect');
    return socket;
  };
}

/** Collects what the socket receives until it closes or `deadlineMs` passes. */
export async function collect(socket: Socket | TLSSocket, deadlineMs = 5_000): Promise<Exchange> {
  const started = performance.now();
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  // Not events.once: it rejects on 'error', and a proxy that closes a connection with bytes still
  // unread resets it (ECONNRESET). A reset is a close here; 'close' follows every 'error'.
  const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
  const timer = sleep(deadlineMs).then(() => false);
  const wasClosed = socket.destroyed || (await Promise.race([closed, timer]));
  socket.destroy();
  return {
    text,
    status: text.split('\r\n')[0] ?? '',
    closed: wasClosed,
    elapsedMs: performance.now() - started,
  };
}

/** Opens a connection, writes the bytes in one go, and collects the answer. */
export async function exchange(open: Opener, bytes: string | Buffer, deadlineMs?: number) {
  const socket = await open();
  socket.on('error', () => {});
  const result = collect(socket, deadlineMs);
  socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  return result;
}

/** Sum of a counter's series whose labels include all of `labels`. */
export async function counter(
  proxy: RunningProxy,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${proxy.ports.admin}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
