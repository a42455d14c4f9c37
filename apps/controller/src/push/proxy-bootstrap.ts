// Bootstrap: a join token and a CSR become a certificate for the token's service, and the
// workload joins the registry. Everything is checked before the token's use is taken, and an id
// held by another identity is never taken over.

import { spiffeId } from '@weft/mesh-config';
import { checkCsr } from '@weft/pki';
import type { BootstrapAnswer, BootstrapRequest } from '@weft/proxy-protocol';
import { hashSecret } from '../auth/secrets.ts';
import type { MeshAuthority } from '../ca/mesh-authority.ts';
import type { ChangeBus } from '../operations/changes.ts';
import type { JoinTokenRepository } from '../repositories/join-tokens.ts';
import type { ProxyRepository } from '../repositories/proxies.ts';
import { type ProxyCall, ProxyRefusal } from './proxy-refusal.ts';

export interface BootstrapDeps {
  readonly authority: MeshAuthority;
  readonly tokens: JoinTokenRepository;
  readonly proxies: ProxyRepository;
  readonly changes: ChangeBus;
  readonly trustDomain: () => Promise<string>;
  readonly certificateLifetimeMs: () => Promise<number>;
}

export async function bootstrap(
  call: ProxyCall,
  input: BootstrapRequest,
  deps: BootstrapDeps,
): Promise<BootstrapAnswer> {
  const { token, csr, workload } = input;
  call.proxyId = workload.id;
  const tokenHash = hashSecret(token);
  const now = new Date();

  const granted = await deps.tokens.check(tokenHash, now);
  const identity = spiffeId(await deps.trustDomain(), granted.namespace, granted.service);
  checkCsr(csr, identity);
  const refuseHeld = (holder: string) =>
    new ProxyRefusal(
      409,
      `proxy ${workload.id} is registered for ${holder}; a join token for ${granted.namespace}/${granted.service} cannot take it over (choose another id, or have an operator remove it: weft proxy remove ${workload.id})`,
    );
  const holder = await deps.proxies.holderOf(workload.id);
  if (holder !== undefined && holder !== `${granted.namespace}/${granted.service}`)
    throw refuseHeld(holder);

  // Only now is a use taken: every refusal above left the token as it was.
  const grant = await deps.tokens.consume(tokenHash, now);
  const issued = await deps.authority.issue({
    csrPem: csr,
    spiffeId: identity,
    proxyId: workload.id,
    lifetimeMs: await deps.certificateLifetimeMs(),
  });
  const heldMeanwhile = await deps.proxies.register(
    { ...workload, service: grant.service, namespace: grant.namespace },
    issued.serial,
    now,
    {
      actor: `proxy ${workload.id} (${identity})`,
      action: 'proxy.bootstrap',
      target: `proxy/${workload.id}`,
      outcome: 'OK',
      detail: { identity, serial: issued.serial, token: grant.tokenId },
    },
  );
  // Another identity registered the id between the check and here: the certificate goes unused.
  if (heldMeanwhile !== undefined) throw refuseHeld(heldMeanwhile);
  await deps.changes.emit({ kind: 'registry', proxyId: workload.id });
  return {
    proxyId: workload.id,
    identity,
    certificate: issued.chainPem,
    trustBundle: await deps.authority.trustBundle(),
    notAfter: issued.notAfter.toISOString(),
  };
}
