// Compiles the AccessPolicies aimed at one service into identity lists the inbound listener checks.

import type { AccessPolicyResource } from '../resources/index.ts';
import type { SnapshotAccessPolicy } from './snapshot.ts';
import { spiffeId } from './workload.ts';

/** Deny policies first: a deny that matches wins over any allow, as in Istio. */
export function compileAccessPolicies(
  policies: readonly AccessPolicyResource[],
  trustDomain: string,
): SnapshotAccessPolicy[] {
  return [...policies]
    .sort(
      (a, b) =>
        Number(a.spec.action === 'allow') - Number(b.spec.action === 'allow') ||
        a.metadata.name.localeCompare(b.metadata.name),
    )
    .map((policy) => {
      const ns = policy.metadata.namespace;
      const identities = new Set<string>();
      const identityPrefixes = new Set<string>();
      for (const source of policy.spec.from) {
        if ('identity' in source) identities.add(source.identity);
        else if ('service' in source)
          identities.add(spiffeId(trustDomain, source.namespace ?? ns, source.service));
        else identityPrefixes.add(`spiffe://${trustDomain}/ns/${source.namespace}/`);
      }
      return {
        name: `${ns}/${policy.metadata.name}`,
        action: policy.spec.action,
        identities: [...identities].sort(),
        identityPrefixes: [...identityPrefixes].sort(),
        ...(policy.spec.paths && { paths: policy.spec.paths }),
        ...(policy.spec.methods && { methods: policy.spec.methods }),
      };
    });
}
