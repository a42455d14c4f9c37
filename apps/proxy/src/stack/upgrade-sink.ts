// The bottom of the caller's side for Upgrade requests (WebSocket and the like): on 101 the
// two sockets are joined byte for byte; any other answer is written back as a plain response.

import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { asProxyError } from '../errors.ts';
import type { ResponseHandler } from './dispatch.ts';

export function createUpgradeSink(
  client: Duplex,
  head: Buffer,
  onComplete: (status: number, reason?: string) => void,
): ResponseHandler {
  const writeHead = (status: number, message: string, headers: IncomingHttpHeaders) => {
    let text = `HTTP/1.1 ${status} ${message}\r\n`;
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) text += `${name}: ${item}\r\n`;
    }
    client.write(`${text}\r\n`);
  };
  return {
    onRequestStart(controller) {
      client.once('close', () => {
        if (!controller.aborted) controller.abort(new Error('the caller closed the connection'));
      });
    },
    onRequestUpgrade(_controller, statusCode, headers, upstream) {
      writeHead(statusCode, 'Switching Protocols', headers);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
      const end = () => {
        upstream.destroy();
        client.destroy();
      };
      // on, not once: a second error with no listener left would be an uncaught exception.
      upstream.on('error', end).once('close', end);
      client.on('error', end).once('close', end);
      onComplete(statusCode);
    },
    onResponseStart(_controller, statusCode, headers, message) {
      writeHead(statusCode, message ?? '', { ...headers, connection: 'close' });
      onComplete(statusCode);
    },
    onResponseData(controller, chunk) {
      // A caller that does not read must hold back the upstream, not fill the proxy's memory.
      if (!client.write(chunk)) {
        controller.pause();
        client.once('drain', () => controller.resume());
      }
    },
    onResponseEnd() {
      client.end();
    },
    onResponseError(_controller, error) {
      const failure = asProxyError(error);
      if (!client.destroyed) {
        writeHead(failure.status, failure.reason, {
          'x-weft-error': failure.reason,
          'content-length': '0',
          connection: 'close',
        });
        client.end();
      }
      onComplete(failure.status, failure.reason);
    },
  };
}
