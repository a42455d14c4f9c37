import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessDenied } from '../errors.ts';
import { LocalController } from './dispatch.ts';
import { createUpgradeSink } from './upgrade-sink.ts';

/** Reads from a socket until `text` has arrived (or it closed); returns everything read. */
function readUntil(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    let read = '';
    const done = () => {
      socket.off('data', onData);
      resolve(read);
    };
    const onData = (chunk: Buffer) => {
      read += String(chunk);
      if (read.includes(text)) done();
    };
    socket.on('data', onData).once('close', done);
  });
}

describe('upgrade sink', () => {
  let onUpgrade: (socket: Socket, head: Buffer) => void = () => {};
  const server = createServer();
  server.on('upgrade', (_req, socket: Socket, head: Buffer) => onUpgrade(socket, head));
  let port = 0;
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  const open = () => {
    const client = connect(port, '127.0.0.1');
    client.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n');
    return client;
  };

  it('answers 101 and joins the two sockets byte for byte', async () => {
    const upstream = new PassThrough();
    const completed: number[] = [];
    onUpgrade = (socket, head) => {
      const sink = createUpgradeSink(socket, head, (status) => completed.push(status));
      const controller = new LocalController();
      sink.onRequestStart?.(controller, {});
      sink.onRequestUpgrade?.(controller, 101, { upgrade: 'websocket' }, upstream as never);
    };
    const client = open();
    const head = await readUntil(client, '\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1.1 101 Switching Protocols\r\n/);
    expect(head).toContain('upgrade: websocket');
    // The upstream here is an echo: what the caller sends comes back through both joins.
    client.write('ping');
    expect(await readUntil(client, 'ping')).toBe('ping');
    expect(completed).toEqual([101]);
    client.destroy();
  });

  it('writes a refusal as a plain answer and closes', async () => {
    const completed: [number, string | undefined][] = [];
    onUpgrade = (socket, head) => {
      const sink = createUpgradeSink(socket, head, (status, reason) =>
        completed.push([status, reason]),
      );
      const controller = new LocalController();
      sink.onRequestStart?.(controller, {});
      sink.onResponseError?.(controller, accessDenied('AccessPolicy/no-ops'));
    };
    const answer = await readUntil(open(), '\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1.1 403 access-denied\r\n/);
    expect(answer).toContain('x-weft-error: access-denied');
    expect(completed).toEqual([[403, 'access-denied']]);
  });
});
