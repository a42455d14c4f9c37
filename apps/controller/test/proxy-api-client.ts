// A stand-in proxy for tests that need registered workloads without running weft-proxy: it
// bootstraps over the proxy API with a join token and a CSR, then speaks with its certificate.

import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createCsr, generateKeyPair } from '@weft/pki';

export interface TestProxy {
  readonly id: string;
  /** POST with the proxy's own certificate; the answer's JSON. */
  post(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  /** Opens the watch stream and resolves with the first snapshot; `close` ends the stream. */
  watch(): Promise<{ snapshot: { version: string; hash: string }; close: () => void }>;
  /** A new key and certificate, as the proxy does at rotateAfter. */
  renew(): Promise<void>;
  /** Its current certificate chain and key (PEM), to speak TLS as it elsewhere. */
  credentials(): { cert: string; key: string };
}

interface Credentials {
  cert?: string;
  key?: string;
}

export async function bootstrapProxy(params: {
  proxyApiUrl: string;
  trustBundleFile: string;
  token: string;
  id: string;
  version?: string;
  port: number;
}): Promise<TestProxy> {
  const ca = await readFile(params.trustBundleFile, 'utf8');
  const url = new URL(params.proxyApiUrl);
  const call = (
    path: string,
    method: 'GET' | 'POST',
    body: unknown,
    credentials: Credentials,
    headers: Record<string, string> = {},
  ) =>
    request({
      host: url.hostname,
      port: url.port,
      path,
      method,
      ca,
      ...credentials,
      // The controller's certificate names its SPIFFE ID, not 127.0.0.1.
      checkServerIdentity: () => undefined,
      headers: {
        'content-type': 'application/json',
        ...headers,
        ...(body === undefined
          ? {}
          : { 'content-length': Buffer.byteLength(JSON.stringify(body)) }),
      },
    });
  const json = (
    path: string,
    body: unknown,
    credentials: Credentials,
    headers?: Record<string, string>,
  ) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = call(path, 'POST', body, credentials, headers);
      req.once('error', reject);
      req.once('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.end(JSON.stringify(body));
    });

  let keys = await generateKeyPair();
  const bootstrap = await json(
    '/v1/bootstrap',
    {
      token: params.token,
      csr: await createCsr(keys),
      workload: {
        id: params.id,
        ...(params.version === undefined ? {} : { version: params.version }),
        address: '127.0.0.1',
        port: params.port,
      },
    },
    {},
  );
  if (bootstrap.status !== 200) throw new Error(`bootstrap: ${JSON.stringify(bootstrap.body)}`);
  let cert = (bootstrap.body as { certificate: string }).certificate;
  const own = () => ({ cert, key: keys.privateKeyPem });
  const idHeader = { 'x-weft-proxy-id': params.id };

  return {
    id: params.id,
    credentials: own,
    post: (path, body) => json(path, body, own(), idHeader),
    watch: () =>
      new Promise((resolve, reject) => {
        const req = call('/v1/watch', 'GET', undefined, own(), idHeader);
        req.once('error', reject);
        req.once('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            const event = /event: snapshot\ndata: (.*)\n\n/.exec(text);
            if (event?.[1] !== undefined) {
              resolve({ snapshot: JSON.parse(event[1]), close: () => req.destroy() });
            }
          });
        });
        req.end();
      }),
    async renew() {
      const next = await generateKeyPair();
      const renewed = await json('/v1/renew', { csr: await createCsr(next) }, own(), idHeader);
      if (renewed.status !== 200) throw new Error(`renew: ${JSON.stringify(renewed.body)}`);
      keys = next;
      cert = (renewed.body as { certificate: string }).certificate;
    },
  };
}
