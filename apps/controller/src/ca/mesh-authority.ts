// The mesh's certificate authority: a root and an issuing intermediate, made on first start
// (keys sealed in the database), and every workload certificate issued from a CSR and recorded.

import {
  type CertificateAuthority,
  createIntermediateCa,
  createRootCa,
  DEFAULT_LEAF_LIFETIME_MS,
  generateKeyPair,
  type IssuedCertificate,
  issueLeafCertificate,
} from '@weft/pki';
import { NotFoundError } from '../errors.ts';
import { controllerChannels } from '../observability/channels.ts';
import type { AuditRecord } from '../repositories/audit.ts';
import type {
  CertificateRecord,
  CertificateRepository,
  NewAuthority,
} from '../repositories/certificates.ts';
import { seal, unseal } from './sealing.ts';

export interface IssueRequest {
  readonly csrPem: string;
  readonly spiffeId: string;
  readonly proxyId: string | null;
  readonly lifetimeMs?: number;
}

export class MeshAuthority {
  private constructor(
    private readonly certificates: CertificateRepository,
    private readonly sealingKey: Buffer,
    private root: CertificateAuthority,
    private intermediate: CertificateAuthority,
  ) {}

  /** Loads the active root and intermediate, creating them on the first start. */
  static async open(
    certificates: CertificateRepository,
    sealingKey: Buffer,
    trustDomain: string,
  ): Promise<MeshAuthority> {
    const root = await loadOrCreate(certificates, sealingKey, 'ROOT', () =>
      createRootCa({ commonName: `${trustDomain} root CA` }),
    );
    const intermediate = await loadOrCreate(certificates, sealingKey, 'INTERMEDIATE', () =>
      createIntermediateCa({ issuer: root, commonName: `${trustDomain} intermediate CA` }),
    );
    return new MeshAuthority(certificates, sealingKey, root, intermediate);
  }

  /**
   * A new issuing intermediate under the same root. Certificates signed by the old one stay
   * valid (they carry it in their chain and it still chains to the root), so nothing in flight
   * breaks; proxies move to the new one as they renew. `audit` is written with the change.
   */
  async rotateIntermediate(
    trustDomain: string,
    audit: (rotated: { previous: string; current: string }) => AuditRecord,
  ): Promise<{ previous: string; current: string }> {
    const previous = this.intermediate;
    const next = await createIntermediateCa({
      issuer: this.root,
      commonName: `${trustDomain} intermediate CA`,
    });
    const rotated = { previous: previous.serial, current: next.serial };
    await this.certificates.changeAuthorities(
      {
        record: [authorityRecord(next, 'INTERMEDIATE', this.root.serial, this.sealingKey, true)],
        retire: [previous.serial],
      },
      audit(rotated),
    );
    controllerChannels.certificateIssued.publish({
      source: this,
      kind: 'intermediate',
      serial: next.serial,
    });
    this.intermediate = next;
    return rotated;
  }

  /**
   * Root rotation, step one: a new root and an intermediate under it, trusted (they join the
   * bundle every proxy receives) but not yet signing. Idempotent while a rotation is pending
   * (then only `audit` is written).
   */
  async prepareRootRotation(
    trustDomain: string,
    audit: (prepared: { root: string; intermediate: string }) => AuditRecord,
  ): Promise<{ root: string; intermediate: string }> {
    const pendingRoot = await this.certificates.pendingAuthority('ROOT');
    const pendingIntermediate = await this.certificates.pendingAuthority('INTERMEDIATE');
    if (pendingRoot !== undefined && pendingIntermediate !== undefined) {
      const pending = {
        root: pendingRoot.certificate.serial,
        intermediate: pendingIntermediate.certificate.serial,
      };
      await this.certificates.changeAuthorities({}, audit(pending));
      return pending;
    }
    const root = await createRootCa({ commonName: `${trustDomain} root CA` });
    const intermediate = await createIntermediateCa({
      issuer: root,
      commonName: `${trustDomain} intermediate CA`,
    });
    const prepared = { root: root.serial, intermediate: intermediate.serial };
    await this.certificates.changeAuthorities(
      {
        record: [
          authorityRecord(root, 'ROOT', null, this.sealingKey, false),
          authorityRecord(intermediate, 'INTERMEDIATE', root.serial, this.sealingKey, false),
        ],
      },
      audit(prepared),
    );
    controllerChannels.certificateIssued.publish({
      source: this,
      kind: 'root',
      serial: root.serial,
    });
    controllerChannels.certificateIssued.publish({
      source: this,
      kind: 'intermediate',
      serial: intermediate.serial,
    });
    return prepared;
  }

  /**
   * Root rotation, step two, once every proxy trusts the new root: it and its intermediate sign
   * from now on. The old root stays in the bundle until it expires, for what it signed.
   */
  async activateRootRotation(
    audit: (activated: { root: string; intermediate: string }) => AuditRecord,
  ): Promise<{ root: string; intermediate: string }> {
    const pendingRoot = await this.certificates.pendingAuthority('ROOT');
    const pendingIntermediate = await this.certificates.pendingAuthority('INTERMEDIATE');
    if (pendingRoot === undefined || pendingIntermediate === undefined)
      throw new NotFoundError('a prepared root rotation');
    const activated = {
      root: pendingRoot.certificate.serial,
      intermediate: pendingIntermediate.certificate.serial,
    };
    await this.certificates.changeAuthorities(
      {
        activate: [activated.root, activated.intermediate],
        retire: [this.intermediate.serial, this.root.serial],
      },
      audit(activated),
    );
    this.root = toAuthority(
      pendingRoot.certificate,
      unseal(pendingRoot.sealedKey, this.sealingKey),
    );
    this.intermediate = toAuthority(
      pendingIntermediate.certificate,
      unseal(pendingIntermediate.sealedKey, this.sealingKey),
    );
    return activated;
  }

  /** A workload certificate for a key the workload kept: only its CSR came here. */
  async issue(request: IssueRequest): Promise<IssuedCertificate> {
    const issued = await issueLeafCertificate({
      issuer: this.intermediate,
      csrPem: request.csrPem,
      spiffeId: request.spiffeId,
      lifetimeMs: request.lifetimeMs ?? DEFAULT_LEAF_LIFETIME_MS,
    });
    await this.certificates.record({
      serial: issued.serial,
      kind: 'LEAF',
      identity: issued.spiffeId,
      proxyId: request.proxyId,
      issuerSerial: this.intermediate.serial,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      pem: issued.certPem,
    });
    controllerChannels.certificateIssued.publish({
      source: this,
      kind: 'workload',
      serial: issued.serial,
    });
    return issued;
  }

  /** The controller's own serving certificate; its key lives only in memory. */
  async issueOwn(
    spiffeId: string,
    lifetimeMs: number,
  ): Promise<{ certPem: string; keyPem: string }> {
    const keys = await generateKeyPair();
    const issued = await issueLeafCertificate({
      issuer: this.intermediate,
      publicKeyPem: keys.publicKeyPem,
      spiffeId,
      lifetimeMs,
    });
    controllerChannels.certificateIssued.publish({
      source: this,
      kind: 'controller',
      serial: issued.serial,
    });
    return { certPem: issued.chainPem, keyPem: keys.privateKeyPem };
  }

  /** When the root and the intermediate that sign now expire. */
  signingExpiry(): { root: Date; intermediate: Date } {
    return { root: this.root.notAfter, intermediate: this.intermediate.notAfter };
  }

  async trustBundle(): Promise<string> {
    return (await this.certificates.trustedRoots(new Date())).map((root) => root.pem).join('');
  }
}

async function loadOrCreate(
  certificates: CertificateRepository,
  sealingKey: Buffer,
  kind: 'ROOT' | 'INTERMEDIATE',
  create: () => Promise<CertificateAuthority>,
): Promise<CertificateAuthority> {
  const existing = await certificates.activeAuthority(kind);
  if (existing !== undefined)
    return toAuthority(existing.certificate, unseal(existing.sealedKey, sealingKey));
  const made = await create();
  await certificates.changeAuthorities({
    record: [authorityRecord(made, kind, null, sealingKey, true)],
  });
  return made;
}

/** A CA as the repository records it, its key sealed. */
function authorityRecord(
  ca: CertificateAuthority,
  kind: 'ROOT' | 'INTERMEDIATE',
  issuerSerial: string | null,
  sealingKey: Buffer,
  active: boolean,
): NewAuthority {
  return {
    certificate: {
      serial: ca.serial,
      kind,
      identity: kind === 'ROOT' ? 'root CA' : 'intermediate CA',
      issuerSerial,
      notBefore: ca.notBefore,
      notAfter: ca.notAfter,
      pem: ca.certPem,
    },
    sealedKey: seal(ca.keyPem, sealingKey),
    active,
  };
}

function toAuthority(record: CertificateRecord, keyPem: string): CertificateAuthority {
  return {
    certPem: record.pem,
    keyPem,
    serial: record.serial,
    notBefore: record.notBefore,
    notAfter: record.notAfter,
    // An intermediate is sent with the leaves it signs; a root never is.
    chainPem: record.kind === 'ROOT' ? '' : record.pem,
  };
}
