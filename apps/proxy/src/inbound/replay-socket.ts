// A socket with its first bytes put back in front, for the TLS server after PERMISSIVE mode
// sniffed them. Node's TLS layer reads a raw socket's handle directly and would miss bytes
// given back with unshift(), so TLS gets this stream wrapper instead (PERMISSIVE mode only;
// STRICT hands the untouched socket over and pays nothing for it).

import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

export function replaySocket(socket: Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  duplex.push(first);
  socket.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.once('end', () => duplex.push(null));
  socket.once('error', (error) => duplex.destroy(error));
  socket.once('close', () => duplex.destroy());
  return duplex;
}
