// The certificate inventory the console shows: CA certificates and the workload certificates in
// force, each with its status by the clock and, for workloads, when its proxy will renew it.

import { parseSpiffeId } from '@weft/pki';
import type { CertificateRecord } from '../repositories/certificates.ts';

/** Certificates that expired longer ago than this are history, not inventory. */
export const EXPIRED_SHOWN_MS = 86_400_000;

export type CertificateState = 'VALID' | 'REVOKED' | 'EXPIRED';

export interface CertificateView {
  readonly serial: string;
  readonly kind: CertificateRecord['kind'];
  /** SPIFFE ID for workloads, subject name for CA certificates. */
  readonly identity: string;
  readonly subject: string;
  readonly issuerSerial: string | null;
  /** Revoked wins over expired: a revoked certificate stays on the revocation list. */
  readonly status: CertificateState;
  readonly notBefore: number;
  readonly notAfter: number;
  /** Whole seconds until notAfter; negative once expired. */
  readonly secondsToExpiry: number;
}

export interface AuthorityView extends CertificateView {
  /** signing: issues now; prepared: trusted, signs after a root rotation's activation; retired: trusted, no longer signs. */
  readonly authority: 'signing' | 'prepared' | 'retired';
}

export interface WorkloadCertificateView extends CertificateView {
  /** "namespace/name" from the SPIFFE ID. */
  readonly service: string | null;
  readonly proxyId: string | null;
  /** When the proxy renews it (epoch ms): notBefore + lifetime × the mesh's rotateAfter. */
  readonly renewAt: number;
  /** Valid, past renewAt and not yet replaced: its proxy is likely offline or failing to renew. */
  readonly renewalOverdue: boolean;
}

export interface CertificateInventory {
  readonly now: number;
  readonly roots: AuthorityView[];
  readonly intermediates: AuthorityView[];
  readonly workloads: WorkloadCertificateView[];
  readonly nextRenewal: {
    serial: string;
    service: string | null;
    proxyId: string | null;
    at: number;
  } | null;
}

export interface InventoryInput {
  readonly now: Date;
  /** Certificates that expired no earlier than EXPIRED_SHOWN_MS before now. */
  readonly certificates: readonly Omit<CertificateRecord, 'pem'>[];
  /** Serials of the CA certificates whose keys sign now. */
  readonly signing: ReadonlySet<string>;
  /** Each registered proxy's current certificate. */
  readonly proxies: readonly { id: string; certificateSerial: string | null }[];
  readonly rotateAfter: number;
}

/**
 * Leaves a proxy has replaced (it renewed, or bootstrapped again under the same id) are left
 * out: the registry names each proxy's current serial. Leaves of proxies the registry does not
 * know are kept.
 */
export function certificateInventory(input: InventoryInput): CertificateInventory {
  const now = input.now.getTime();
  const currentOf = new Map(input.proxies.map((p) => [p.id, p.certificateSerial]));
  const shown = input.certificates.filter((c) => c.notAfter.getTime() >= now - EXPIRED_SHOWN_MS);
  const authority = (c: Omit<CertificateRecord, 'pem'>): AuthorityView => ({
    ...view(c, now),
    authority: input.signing.has(c.serial)
      ? 'signing'
      : c.status === 'SUPERSEDED'
        ? 'retired'
        : 'prepared',
  });
  const workloads = shown
    .filter((c) => c.kind === 'LEAF')
    .filter((c) => c.proxyId === null || (currentOf.get(c.proxyId) ?? c.serial) === c.serial)
    .map((c): WorkloadCertificateView => {
      const base = view(c, now);
      const lifetime = c.notAfter.getTime() - c.notBefore.getTime();
      const renewAt = Math.round(c.notBefore.getTime() + lifetime * input.rotateAfter);
      const identity = parseSpiffeId(c.identity);
      return {
        ...base,
        service: identity === undefined ? null : `${identity.namespace}/${identity.service}`,
        proxyId: c.proxyId,
        renewAt,
        renewalOverdue: base.status === 'VALID' && renewAt < now,
      };
    })
    .sort((a, b) => a.notAfter - b.notAfter);
  const next = workloads
    .filter((w) => w.status === 'VALID')
    .reduce<WorkloadCertificateView | undefined>(
      (soonest, w) => (soonest === undefined || w.renewAt < soonest.renewAt ? w : soonest),
      undefined,
    );
  return {
    now,
    roots: shown.filter((c) => c.kind === 'ROOT').map(authority),
    intermediates: shown.filter((c) => c.kind === 'INTERMEDIATE').map(authority),
    workloads,
    nextRenewal:
      next === undefined
        ? null
        : { serial: next.serial, service: next.service, proxyId: next.proxyId, at: next.renewAt },
  };
}

function view(c: Omit<CertificateRecord, 'pem'>, now: number): CertificateView {
  const notAfter = c.notAfter.getTime();
  return {
    serial: c.serial,
    kind: c.kind,
    identity: c.identity,
    subject: c.identity,
    issuerSerial: c.issuerSerial,
    status: c.status === 'REVOKED' ? 'REVOKED' : notAfter <= now ? 'EXPIRED' : 'VALID',
    notBefore: c.notBefore.getTime(),
    notAfter,
    secondsToExpiry: Math.floor((notAfter - now) / 1_000),
  };
}
