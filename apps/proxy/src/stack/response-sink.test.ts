import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimited } from '../errors.ts';
import { LocalController } from './dispatch.ts';
import { type Completion, createResponseSink } from './response-sink.ts';

describe('response sink', () => {
  let answer: (res: ServerResponse) => void = () => {};
  const server = createServer((_req, res) => answer(res));
  let url = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it("writes the upstream's answer without its hop-by-hop headers, and reports it complete", async () => {
    const completions: Completion[] = [];
    answer = (res) => {
      const sink = createResponseSink(res, {
        extraHeaders: (headers) => {
          headers['x-added'] = 'yes';
        },
        onComplete: (completion) => completions.push(completion),
      });
      const controller = new LocalController();
      sink.onRequestStart?.(controller, {});
      sink.onResponseStart?.(
        controller,
        201,
        { 'content-type': 'text/plain', connection: 'x-hop', 'x-hop': 'secret', 'x-kept': '1' },
        'Created',
      );
      sink.onResponseData?.(controller, Buffer.from('hello '));
      sink.onResponseData?.(controller, Buffer.from('there'));
      sink.onResponseEnd?.(controller, {});
    };
    const response = await request(url);
    expect(response.statusCode).toBe(201);
    expect(await response.body.text()).toBe('hello there');
    expect(response.headers['x-kept']).toBe('1');
    expect(response.headers['x-added']).toBe('yes');
    // Named in Connection: meant for the proxy's hop only.
    expect(response.headers['x-hop']).toBeUndefined();
    expect(completions).toEqual([{ status: 201, responseBytes: 11 }]);
  });

  it('turns a failure before the answer into its status with x-weft-error', async () => {
    const completions: Completion[] = [];
    answer = (res) => {
      const sink = createResponseSink(res, { onComplete: (c) => completions.push(c) });
      const controller = new LocalController();
      sink.onRequestStart?.(controller, {});
      sink.onResponseError?.(controller, rateLimited('server.shop'));
    };
    const response = await request(url);
    expect(response.statusCode).toBe(429);
    expect(response.headers['x-weft-error']).toBe('rate-limited');
    expect(await response.body.text()).toBe('cluster server.shop is over its rate limit\n');
    expect(completions).toEqual([{ status: 429, responseBytes: 0, reason: 'rate-limited' }]);
  });
});
