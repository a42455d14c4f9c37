// The mesh-wide settings the CA and the proxy API read from the Mesh resource in force.

import {
  DEFAULT_CERTIFICATE_LIFETIME_MS,
  DEFAULT_ROTATE_AFTER,
  DEFAULT_TRUST_DOMAIN,
  parseDuration,
} from '@weft/mesh-config';
import type { RevisionRepository } from '../repositories/revisions.ts';

export async function trustDomainOf(revisions: RevisionRepository): Promise<string> {
  const mesh = (await revisions.current()).find((r) => r.kind === 'Mesh');
  return mesh?.kind === 'Mesh' ? mesh.spec.trustDomain : DEFAULT_TRUST_DOMAIN;
}

export async function certificateLifetimeOf(revisions: RevisionRepository): Promise<number> {
  const mesh = (await revisions.current()).find((r) => r.kind === 'Mesh');
  const lifetime = mesh?.kind === 'Mesh' ? mesh.spec.certificates?.lifetime : undefined;
  return (
    (lifetime === undefined ? undefined : parseDuration(lifetime)) ??
    DEFAULT_CERTIFICATE_LIFETIME_MS
  );
}

/** The share of a workload certificate's lifetime after which its proxy renews it. */
export async function rotateAfterOf(revisions: RevisionRepository): Promise<number> {
  const mesh = (await revisions.current()).find((r) => r.kind === 'Mesh');
  return (
    (mesh?.kind === 'Mesh' ? mesh.spec.certificates?.rotateAfter : undefined) ??
    DEFAULT_ROTATE_AFTER
  );
}
