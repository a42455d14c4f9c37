// The inbound level: what an authenticated (or, in PERMISSIVE mode, plaintext) caller's request
// goes through on its way to the local service, built once per snapshot.

import type { ProxySnapshot } from '@weft/mesh-config';
import { Pool } from 'undici';
import { AccessPolicy, createAccessPolicyLayer } from '../stack/access-policy.ts';
import { compose, type Dispatch, type InboundRequest } from '../stack/dispatch.ts';
import { createForward } from '../stack/forward.ts';

/** The keep-alive pool to the local service, one for the proxy's life (not per snapshot). */
export function connectApplication(application: { address: string; port: number }): Pool {
  return new Pool(`http://${application.address}:${application.port}`, {
    // The service's own timeouts apply; the caller's proxy enforces the route's.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}

/**
 * Top to bottom:
 *   access policy -> 403 naming the rule, or on
 *   forward       -> the local service over its keep-alive pool
 */
export function buildInboundStack(
  snapshot: ProxySnapshot,
  application: Pool,
): Dispatch<InboundRequest> {
  const access = new AccessPolicy(snapshot.inbound.access, snapshot.mesh.mtlsMode);
  return compose([createAccessPolicyLayer(access)], createForward<InboundRequest>(application));
}
