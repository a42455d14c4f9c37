// The bottom of the caller's side: writes the upstream's answer to the caller's response with
// backpressure, or turns a failure into 502/503/504 with x-weft-error (the rescue layer).

import type { ServerResponse } from 'node:http';
import { asProxyError, clientGone } from '../errors.ts';
import { endToEndHeaders, type HeaderMap } from '../http/headers.ts';
import type { Controller, ResponseHandler } from './dispatch.ts';

export interface Completion {
  readonly status: number;
  readonly responseBytes: number;
  /** x-weft-error when the proxy answered instead of the upstream. */
  readonly reason?: string;
}

export interface SinkOptions {
  readonly extraHeaders?: (headers: HeaderMap) => void;
  readonly onComplete: (completion: Completion) => void;
}

export function createResponseSink(res: ServerResponse, options: SinkOptions): ResponseHandler {
  let controller: Controller | undefined;
  let status = 0;
  let responseBytes = 0;
  let finished = false;
  const complete = (completion: Completion) => {
    if (finished) return;
    finished = true;
    options.onComplete(completion);
  };
  res.once('close', () => {
    if (!res.writableFinished && controller !== undefined && !controller.aborted) {
      controller.abort(clientGone());
    }
  });
  const resume = () => controller?.resume();

  return {
    onRequestStart(c) {
      controller = c;
      if (res.destroyed) c.abort(clientGone());
    },
    onResponseStart(c, statusCode, headers) {
      controller = c;
      status = statusCode;
      const relayed = endToEndHeaders(headers);
      options.extraHeaders?.(relayed);
      res.writeHead(statusCode, relayed);
    },
    onResponseData(c, chunk) {
      responseBytes += chunk.length;
      if (!res.write(chunk)) {
        c.pause();
        res.once('drain', resume);
      }
    },
    onResponseEnd() {
      res.end();
      complete({ status, responseBytes });
    },
    onResponseError(_c, error) {
      const failure = asProxyError(error);
      if (res.headersSent) {
        res.destroy(error);
        complete({ status, responseBytes, reason: failure.reason });
        return;
      }
      if (!res.destroyed) {
        const body = `${failure.message}\n`;
        res.writeHead(failure.status, {
          'content-type': 'text/plain; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'x-weft-error': failure.reason,
        });
        res.end(body);
      }
      complete({ status: failure.status, responseBytes: 0, reason: failure.reason });
    },
  };
}
