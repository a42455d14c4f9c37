import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundRequest } from './dispatch.ts';
import { createForward } from './forward.ts';
import { fakeRequest, recordingHandler } from './layer-test-kit.ts';

describe('forward', () => {
  const seen: { req: IncomingMessage; body: string }[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    seen.push({ req, body });
    res.writeHead(201, { 'x-answer': 'yes' }).end(`got ${body.length} bytes`);
  });
  let pool: Pool;

  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await pool.close();
    server.close();
  });

  it('sends the request over the pool as it is, and hands the answer up', async () => {
    const handler = recordingHandler();
    createForward(pool)(
      fakeRequest({
        method: 'PUT',
        path: '/items/7?full=1',
        headers: { 'x-request-id': 'abc', 'content-type': 'text/plain' },
        body: Buffer.from('hello'),
      }),
      handler,
    );
    await handler.recorded.done;
    expect(handler.recorded).toMatchObject({ status: 201, body: 'got 5 bytes', error: undefined });
    expect(seen[0]?.req.method).toBe('PUT');
    expect(seen[0]?.req.url).toBe('/items/7?full=1');
    expect(seen[0]?.req.headers['x-request-id']).toBe('abc');
    expect(seen[0]?.body).toBe('hello');
  });

  it('forwards an inbound request the same way', async () => {
    const handler = recordingHandler();
    const request: InboundRequest = {
      method: 'GET',
      path: '/health',
      pathname: '/health',
      headers: {},
      body: null,
      peer: undefined,
      requestId: 'request-2',
      trace: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), sampled: true },
    };
    createForward<InboundRequest>(pool)(request, handler);
    await handler.recorded.done;
    expect(handler.recorded.status).toBe(201);
    expect(seen.at(-1)?.req.url).toBe('/health');
  });
});
