// Who is calling the proxy API: the registered proxy the caller may act as, which must be one of
// the identity in its certificate. Every endpoint but bootstrap acts only for that caller.

import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parseSpiffeId } from '@weft/pki';
import { PROXY_ID_HEADER } from '@weft/proxy-protocol';
import type { ProxyRepository } from '../../repositories/proxies.ts';
import type { PeerIdentities } from '../peer-identities.ts';
import { ProxyRefusal } from '../proxy-refusal.ts';

export interface Caller {
  readonly proxyId: string;
  /** Its SPIFFE ID, and the "namespace/service" in it. */
  readonly identity: string;
  readonly workload: string;
  /** The version label it registered with, "" without one. */
  readonly version: string;
}

/** The proxy id the request claims, for the audit of a refusal; cut to a name's length. */
export function claimedProxyId(req: IncomingMessage): string | undefined {
  const claimed = req.headers[PROXY_ID_HEADER];
  return typeof claimed === 'string' ? claimed.slice(0, 253) : undefined;
}

/** The registered proxy the caller may act as: one of the identity in its certificate. */
export async function authenticate(
  req: IncomingMessage,
  proxies: ProxyRepository,
  identities: PeerIdentities,
): Promise<Caller> {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) {
    throw new ProxyRefusal(
      401,
      `a client certificate from the mesh CA is required (${String(socket.authorizationError ?? 'none sent')})`,
    );
  }
  const identity = identities.of(socket.getPeerX509Certificate());
  const parsed = identity === undefined ? undefined : parseSpiffeId(identity);
  const proxyId = req.headers[PROXY_ID_HEADER];
  if (identity === undefined || parsed === undefined || typeof proxyId !== 'string')
    throw new ProxyRefusal(401, `send ${PROXY_ID_HEADER} with a workload certificate`);
  const proxy = await proxies.get(proxyId);
  if (
    proxy === undefined ||
    proxy.service !== parsed.service ||
    proxy.namespace !== parsed.namespace
  ) {
    throw new ProxyRefusal(
      401,
      `${identity} may not act for proxy ${proxyId}${proxy === undefined ? ' (not registered: bootstrap again)' : ''}`,
    );
  }
  return {
    proxyId,
    identity,
    workload: `${parsed.namespace}/${parsed.service}`,
    version: proxy.version ?? '',
  };
}
