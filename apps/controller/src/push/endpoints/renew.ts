// POST /v1/renew: a new certificate for a new CSR, for the identity the caller already has.

import { proxyApi } from '@weft/proxy-protocol';
import type { BootstrapDeps } from '../proxy-bootstrap.ts';
import type { ProxyHandler } from './handler.ts';
import { answer, readInput } from './json-exchange.ts';

export function renewHandler(
  deps: Pick<BootstrapDeps, 'authority' | 'proxies' | 'certificateLifetimeMs'>,
): ProxyHandler {
  return async (call, res, caller) => {
    const input = await readInput(call.req, proxyApi.renew.request);
    // A CSR for any other identity is refused by the CA (a PkiError: 400), before it signs.
    const issued = await deps.authority.issue({
      csrPem: input.csr,
      spiffeId: caller.identity,
      proxyId: caller.proxyId,
      lifetimeMs: await deps.certificateLifetimeMs(),
    });
    await deps.proxies.setCertificate(caller.proxyId, issued.serial);
    answer(res, proxyApi.renew, {
      certificate: issued.chainPem,
      trustBundle: await deps.authority.trustBundle(),
      notAfter: issued.notAfter.toISOString(),
    });
  };
}
