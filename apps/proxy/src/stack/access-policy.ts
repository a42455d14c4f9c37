// The inbound access policy: whether a caller may make a request, as Istio's
// AuthorizationPolicy decides it (a matching deny wins; otherwise a matching allow admits; a
// service with allow policies admits nothing else; a service without any follows the mesh
// default). A refused request gets 403 naming the rule, and never reaches the service.

import type { ProxySnapshot, SnapshotAccessPolicy } from '@weft/mesh-config';
import { accessDenied } from '../errors.ts';
import { failRequest, type InboundRequest, type Layer } from './dispatch.ts';

export function createAccessPolicyLayer(policy: AccessPolicy): Layer<InboundRequest> {
  return (next) => (request, handler) => {
    const decision = policy.decide(request.peer, request.method, request.pathname);
    if (decision.allowed) {
      next(request, handler);
      return;
    }
    // Drained, not forwarded: the connection can then carry the caller's next request.
    if (request.body !== null && !Buffer.isBuffer(request.body)) request.body.resume();
    failRequest(handler, accessDenied(decision.rule));
  };
}

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
