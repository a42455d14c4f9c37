// How the proxy API says no: every refusal is a 4xx naming what is wrong, and an audit entry
// naming who asked (the proxy id, and the certificate identity or the remote address).

import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { MeshError } from '@weft/errors';
import { PkiError, spiffeIdOf } from '@weft/pki';
import type { AuditRepository } from '../repositories/audit.ts';
import { JoinTokenError } from '../repositories/join-tokens.ts';

export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 422 | 429;

export class ProxyRefusal extends MeshError {
  constructor(
    readonly status: RefusalStatus,
    message: string,
  ) {
    super('MESH_ERR_PROXY_REFUSED', message);
  }
}

/** What one call to the proxy API is about, filled in as the handler learns it. */
export interface ProxyCall {
  readonly req: IncomingMessage;
  /** "proxy.bootstrap", "proxy.heartbeat"…: the audit action. */
  readonly action: string;
  /** The proxy id the caller claims (header, or the bootstrap body). */
  proxyId: string | undefined;
}

/** The refusal an error stands for, or undefined for a failure of the controller's own. */
export function refusalOf(error: unknown): ProxyRefusal | undefined {
  if (error instanceof ProxyRefusal) return error;
  if (error instanceof JoinTokenError) return new ProxyRefusal(401, error.message);
  // A CSR that cannot be read, or that asks for an identity the caller does not have.
  if (error instanceof PkiError) return new ProxyRefusal(400, error.message);
  return undefined;
}

export async function auditRefusal(
  audit: AuditRepository,
  call: ProxyCall,
  refusal: ProxyRefusal,
): Promise<void> {
  await audit.record({
    actor: actorOf(call),
    action: call.action,
    target: call.proxyId === undefined ? 'proxy-api' : `proxy/${call.proxyId}`,
    outcome: 'DENIED',
    detail: { reason: refusal.message, status: refusal.status },
  });
}

/** "proxy <id> (<SPIFFE ID>)" with a mesh certificate, else "proxy <id>@<address>". */
function actorOf(call: ProxyCall): string {
  const socket = call.req.socket as TLSSocket;
  const certificate = socket.authorized ? socket.getPeerX509Certificate() : undefined;
  const identity = certificate === undefined ? undefined : spiffeIdOf(certificate);
  const who = `proxy ${call.proxyId ?? '(unnamed)'}`;
  return identity === undefined
    ? `${who}@${socket.remoteAddress ?? 'unknown'}`
    : `${who} (${identity})`;
}
