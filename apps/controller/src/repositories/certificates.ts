// Every certificate the CA made or holds, and the sealed keys of its own CA certificates. Changes
// to which CA signs are written in one transaction with their audit row.

import type { Db } from '../db/database.ts';
import type { CertificateKind, CertificateStatus } from '../generated/prisma/client.ts';
import { type AuditRecord, recordAudit } from './audit.ts';

export type { CertificateKind, CertificateStatus };

export interface CertificateRecord {
  readonly serial: string;
  readonly kind: CertificateKind;
  readonly identity: string;
  readonly proxyId: string | null;
  readonly issuerSerial: string | null;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly status: CertificateStatus;
  readonly pem: string;
}

/** A CA certificate to record, with its sealed key and whether it signs yet. */
export interface NewAuthority {
  readonly certificate: Omit<CertificateRecord, 'status' | 'proxyId'>;
  readonly sealedKey: string;
  readonly active: boolean;
}

export class CertificateRepository {
  constructor(private readonly db: Db) {}

  async record(certificate: Omit<CertificateRecord, 'status'>): Promise<void> {
    await this.db.certificate.create({ data: certificate });
  }

  /** A CA prepared by a root rotation and not yet signing: inactive key, certificate not superseded. */
  async pendingAuthority(
    kind: CertificateKind,
  ): Promise<{ certificate: CertificateRecord; sealedKey: string } | undefined> {
    const keys = await this.db.caKey.findMany({
      where: { kind, active: false },
      orderBy: { createdAt: 'desc' },
    });
    for (const key of keys) {
      const certificate = await this.db.certificate.findUnique({ where: { serial: key.serial } });
      if (certificate?.status === 'ACTIVE') return { certificate, sealedKey: key.sealedKey };
    }
    return undefined;
  }

  /**
   * Changes the CAs, in one transaction with the audit row when there is one: `record` adds CA
   * certificates with their sealed keys (`active` false prepares one without signing with it);
   * the `activate` ones sign from now on; the `retire` ones no longer do, their certificates
   * staying recorded, and valid, for what they signed.
   */
  async changeAuthorities(
    change: {
      readonly record?: readonly NewAuthority[];
      readonly activate?: readonly string[];
      readonly retire?: readonly string[];
    },
    audit?: AuditRecord,
  ): Promise<void> {
    await this.db.$transaction(async (tx) => {
      for (const { certificate, sealedKey, active } of change.record ?? []) {
        await tx.certificate.create({ data: { ...certificate, proxyId: null } });
        await tx.caKey.create({
          data: { serial: certificate.serial, kind: certificate.kind, sealedKey, active },
        });
      }
      for (const serial of change.activate ?? [])
        await tx.caKey.update({ where: { serial }, data: { active: true } });
      for (const serial of change.retire ?? []) {
        await tx.caKey.update({ where: { serial }, data: { active: false } });
        await tx.certificate.update({ where: { serial }, data: { status: 'SUPERSEDED' } });
      }
      if (audit !== undefined) await recordAudit(tx, audit);
    });
  }

  /** The active CA of a kind with its sealed key, if one exists. */
  async activeAuthority(
    kind: CertificateKind,
  ): Promise<{ certificate: CertificateRecord; sealedKey: string } | undefined> {
    const key = await this.db.caKey.findFirst({
      where: { kind, active: true },
      orderBy: { createdAt: 'desc' },
    });
    if (key === null) return undefined;
    const certificate = await this.db.certificate.findUnique({ where: { serial: key.serial } });
    return certificate === null ? undefined : { certificate, sealedKey: key.sealedKey };
  }

  /** Root certificates that are not revoked: the trust bundle, old and new during a rotation. */
  async trustedRoots(now: Date): Promise<CertificateRecord[]> {
    return this.db.certificate.findMany({
      where: { kind: 'ROOT', status: { not: 'REVOKED' }, notAfter: { gt: now } },
      orderBy: { notBefore: 'asc' },
    });
  }

  async list(options: { kind?: CertificateKind; limit: number }): Promise<CertificateRecord[]> {
    return this.db.certificate.findMany({
      where: options.kind === undefined ? {} : { kind: options.kind },
      orderBy: { notAfter: 'asc' },
      take: options.limit,
    });
  }

  /** Certificates that had not expired by `expiredAfter` (so also those still valid), without PEM. */
  async notExpiredBefore(expiredAfter: Date): Promise<Omit<CertificateRecord, 'pem'>[]> {
    return this.db.certificate.findMany({
      where: { notAfter: { gte: expiredAfter } },
      omit: { pem: true, revokedAt: true, revokedReason: true, createdAt: true },
      orderBy: { notAfter: 'asc' },
    });
  }

  /** Serials of the CA keys that sign now (one root, one intermediate, outside a rotation). */
  async signingAuthorities(): Promise<Set<string>> {
    const keys = await this.db.caKey.findMany({
      where: { active: true },
      select: { serial: true },
    });
    return new Set(keys.map((k) => k.serial));
  }

  /** Revokes an unrevoked certificate with its audit row; returns whether there was one. */
  async revoke(serial: string, reason: string, at: Date, audit: AuditRecord): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const { count } = await tx.certificate.updateMany({
        where: { serial, status: { not: 'REVOKED' } },
        data: { status: 'REVOKED', revokedAt: at, revokedReason: reason },
      });
      if (count === 1) await recordAudit(tx, audit);
      return count === 1;
    });
  }

  async revokedSerials(now: Date): Promise<string[]> {
    const rows = await this.db.certificate.findMany({
      where: { status: 'REVOKED', notAfter: { gt: now } },
      select: { serial: true },
    });
    return rows.map((r) => r.serial);
  }
}
