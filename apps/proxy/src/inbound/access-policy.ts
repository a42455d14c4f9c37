// Decides whether a caller may make a request, as Istio's AuthorizationPolicy does: a matching
// deny wins; otherwise a matching allow admits; a service with allow policies admits nothing
// else; a service without any follows the mesh default.

import type { ProxySnapshot, SnapshotAccessPolicy } from '@weft/mesh-config';

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly rule: string };

const ALLOWED: AccessDecision = { allowed: true };

export class AccessPolicy {
  private readonly denies: readonly SnapshotAccessPolicy[];
  private readonly allows: readonly SnapshotAccessPolicy[];

  constructor(
    private readonly access: ProxySnapshot['inbound']['access'],
    readonly mtlsMode: ProxySnapshot['mesh']['mtlsMode'],
  ) {
    this.denies = access.policies.filter((p) => p.action === 'deny');
    this.allows = access.policies.filter((p) => p.action === 'allow');
  }

  /** `identity` is undefined for a plaintext caller (PERMISSIVE mode): no identity rule matches it. */
  decide(identity: string | undefined, method: string, pathname: string): AccessDecision {
    for (const policy of this.denies) {
      if (applies(policy, identity, method, pathname))
        return { allowed: false, rule: `AccessPolicy/${policy.name}` };
    }
    for (const policy of this.allows)
      if (applies(policy, identity, method, pathname)) return ALLOWED;
    if (this.allows.length > 0) return { allowed: false, rule: 'no allow AccessPolicy matches' };
    return this.access.defaultAction === 'allow'
      ? ALLOWED
      : { allowed: false, rule: 'the mesh default (deny)' };
  }
}

function applies(
  policy: SnapshotAccessPolicy,
  identity: string | undefined,
  method: string,
  pathname: string,
): boolean {
  if (identity === undefined) return false;
  const fromMatches =
    policy.identities.includes(identity) ||
    policy.identityPrefixes.some((prefix) => identity.startsWith(prefix));
  if (!fromMatches) return false;
  if (policy.methods !== undefined && !policy.methods.includes(method)) return false;
  if (policy.paths !== undefined && !policy.paths.some((pattern) => pathMatches(pattern, pathname)))
    return false;
  return true;
}

function pathMatches(pattern: string, pathname: string): boolean {
  return pattern.endsWith('*') ? pathname.startsWith(pattern.slice(0, -1)) : pathname === pattern;
}
