// A stand-in proxy for tests that need registered workloads without running weft-proxy: it
// bootstraps over the proxy API with a join token and a CSR, then speaks with its certificate.

import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createCsr, generateKeyPair } from '@weft/pki';

export interface TestProxy {
  readonly id: string;
  /** POST with the proxy's own certificate; the answer's JSON. */
  post(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  /**
   * Opens the watch stream and resolves with the first snapshot (and its text); `close` ends the
   * stream, `open` says whether the controller still holds it.
   */
  watch(): Promise<{
    snapshot: { version: string; hash: string };
    text: string;
    close: () => void;
    open: () => boolean;
  }>;
  /** A new key and certificate, as the proxy does at rotateAfter. */
  renew(): Promise<void>;
  /** Its current certificate chain and key (PEM), to speak TLS as it elsewhere. */
  credentials(): { cert: string; key: string };
}

interface Credentials {
  cert?: string;
  key?: string;
}

/** One JSON call to the proxy API, with a client certificate or none; the answer as JSON. */
export function proxyApiJson(params: {
  proxyApiUrl: string;
  ca: string;
  path: string;
  body: unknown;
  credentials?: Credentials;
  headers?: Record<string, string>;
}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = proxyApiRequest(params.proxyApiUrl, params.ca, {
      path: params.path,
      method: 'POST',
      body: params.body,
      credentials: params.credentials ?? {},
      headers: params.headers ?? {},
    });
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.end(params.body === undefined ? undefined : JSON.stringify(params.body));
  });
}

function proxyApiRequest(
  proxyApiUrl: string,
  ca: string,
  call: {
    path: string;
    method: 'GET' | 'POST';
    body: unknown;
    credentials: Credentials;
    headers: Record<string, string>;
  },
) {
  const url = new URL(proxyApiUrl);
  return request({
    host: url.hostname,
    port: url.port,
    path: call.path,
    method: call.method,
    ca,
    ...call.credentials,
    // The controller's certificate names its SPIFFE ID, not 127.0.0.1.
    checkServerIdentity: () => undefined,
    headers: {
      'content-type': 'application/json',
      ...call.headers,
      ...(call.body === undefined
        ? {}
        : { 'content-length': Buffer.byteLength(JSON.stringify(call.body)) }),
    },
  });
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
  const call = (
    path: string,
    method: 'GET' | 'POST',
    body: unknown,
    credentials: Credentials,
    headers: Record<string, string> = {},
  ) => proxyApiRequest(params.proxyApiUrl, ca, { path, method, body, credentials, headers });
  const json = (
    path: string,
    body: unknown,
    credentials: Credentials,
    headers?: Record<string, string>,
  ) =>
    proxyApiJson({
      proxyApiUrl: params.proxyApiUrl,
      ca,
      path,
      body,
      credentials,
      ...(headers === undefined ? {} : { headers }),
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
          let open = true;
          res.once('close', () => {
            open = false;
          });
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            const event = /event: snapshot\ndata: (.*)\n\n/.exec(text);
            if (event?.[1] !== undefined) {
              resolve({
                snapshot: JSON.parse(event[1]),
                text: event[1],
                close: () => req.destroy(),
                open: () => open,
              });
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
