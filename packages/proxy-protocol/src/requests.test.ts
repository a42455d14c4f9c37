// What the controller accepts from a proxy: the shapes and bounds of each request body, and
// text it stores as sent (no NUL, no lone surrogate).

import { describe, expect, it } from 'vitest';
import { proxyApi } from './endpoints.ts';

const WORKLOAD = { id: 'frontend-1', address: '127.0.0.1', port: 15_001 };

describe('request bodies', () => {
  it('takes a bootstrap with a token, a CSR and the workload, and nothing else', () => {
    const body = { token: 't', csr: 'c', workload: { ...WORKLOAD, labels: { zone: 'a' } } };
    expect(proxyApi.bootstrap.request.parse(body)).toEqual(body);
    expect(proxyApi.bootstrap.request.safeParse({ ...body, extra: 1 }).success).toBe(false);
    const port = proxyApi.bootstrap.request.safeParse({
      ...body,
      workload: { ...WORKLOAD, port: 0 },
    });
    expect(port.error?.issues[0]?.path).toEqual(['workload', 'port']);
  });

  it('refuses text the database cannot keep as sent, wherever it is stored', () => {
    const lone = proxyApi.bootstrap.request.safeParse({
      token: 't',
      csr: 'c',
      workload: { ...WORKLOAD, id: 'frontend-\uD800' },
    });
    expect(lone.error?.issues[0]?.message).toBe(
      'must be text without NUL characters or lone surrogates',
    );
    expect(
      proxyApi.ack.request.safeParse({ version: 'v', hash: 'h', error: 'nul \u0000' }).success,
    ).toBe(false);
  });

  it('tells an ACK from a NACK by its error', () => {
    expect(proxyApi.ack.request.parse({ version: 'r1', hash: 'h' })).toEqual({
      version: 'r1',
      hash: 'h',
    });
    expect(
      proxyApi.ack.request.parse({ version: 'r1', hash: 'h', error: 'port 8080 in use' }).error,
    ).toBe('port 8080 in use');
  });

  it('gives every endpoint its own method and path', () => {
    const routes = Object.values(proxyApi).map((e) => `${e.method} ${e.path}`);
    expect(new Set(routes).size).toBe(routes.length);
    expect(Object.values(proxyApi).filter((e) => e.caller === 'anyone')).toEqual([
      proxyApi.bootstrap,
    ]);
  });
});
