// What admins do to the CA: revoke a certificate, rotate the issuing intermediate, rotate the
// root in two steps. Each change is written with its audit row in one transaction, then
// announced: a revocation reaches proxies with their next snapshot, a new trust bundle with
// the proxy API's TLS and every proxy.

import type { MeshAuthority } from '../ca/mesh-authority.ts';
import { trustDomainOf } from '../ca/mesh-settings.ts';
import { NotFoundError, PreconditionError } from '../errors.ts';
import type { CertificateRepository } from '../repositories/certificates.ts';
import type { ProxyRepository } from '../repositories/proxies.ts';
import type { RevisionRepository } from '../repositories/revisions.ts';
import type { ChangeBus } from './changes.ts';

export interface CertificateDeps {
  readonly certificates: CertificateRepository;
  readonly authority: MeshAuthority;
  readonly proxies: ProxyRepository;
  readonly revisions: RevisionRepository;
  readonly changes: ChangeBus;
}

export class CertificateOperations {
  constructor(private readonly deps: CertificateDeps) {}

  async revoke(serial: string, reason: string, actor: string): Promise<{ revoked: string }> {
    const revoked = await this.deps.certificates.revoke(serial, reason, new Date(), {
      actor,
      action: 'certificates.revoke',
      target: `certificate/${serial}`,
      outcome: 'OK',
      detail: { reason },
    });
    if (!revoked) throw new NotFoundError(`an unrevoked certificate with serial ${serial}`);
    await this.deps.changes.emit({ kind: 'revocation', serial });
    return { revoked: serial };
  }

  /** A new issuing intermediate under the same root; what the old one signed stays valid. */
  async rotateIntermediate(actor: string): Promise<{ previous: string; current: string }> {
    return this.deps.authority.rotateIntermediate(
      await trustDomainOf(this.deps.revisions),
      (rotated) => ({
        actor,
        action: 'certificates.rotateIntermediate',
        target: `certificate/${rotated.current}`,
        outcome: 'OK',
        detail: rotated,
      }),
    );
  }

  /** Root rotation, step one: the new root joins every proxy's trust bundle. */
  async prepareRootRotation(actor: string): Promise<{ root: string; intermediate: string }> {
    const prepared = await this.deps.authority.prepareRootRotation(
      await trustDomainOf(this.deps.revisions),
      (serials) => ({
        actor,
        action: 'certificates.prepareRootRotation',
        target: `certificate/${serials.root}`,
        outcome: 'OK',
        detail: serials,
      }),
    );
    await this.deps.changes.emit({ kind: 'trust' });
    return prepared;
  }

  /**
   * Root rotation, step two: signing moves to the new root, once every proxy trusts it. A proxy
   * trusts it once it applied a snapshot sent after step one: SYNCED. A DISCONNECTED one may
   * still be serving on an older bundle and would refuse every peer with a new certificate, so it
   * holds the activation back too, unless `force` says it is gone for good.
   */
  async activateRootRotation(
    force: boolean,
    actor: string,
  ): Promise<{ root: string; intermediate: string }> {
    const behind = (await this.deps.proxies.list()).filter((p) => p.syncState !== 'SYNCED');
    const blocking = behind.filter((p) => !force || p.syncState !== 'DISCONNECTED');
    if (blocking.length > 0) {
      const disconnectedOnly = blocking.every((p) => p.syncState === 'DISCONNECTED');
      throw new PreconditionError(
        `not yet: ${blocking.map((p) => `${p.id} (${p.syncState})`).join(', ')} may not trust the new root; activate when every proxy is SYNCED${disconnectedOnly ? ', or with force if the disconnected ones are gone for good' : ''}`,
      );
    }
    const activated = await this.deps.authority.activateRootRotation((serials) => ({
      actor,
      action: 'certificates.activateRootRotation',
      target: `certificate/${serials.root}`,
      outcome: 'OK',
      detail: { ...serials, forcedPast: behind.map((p) => p.id) },
    }));
    await this.deps.changes.emit({ kind: 'trust' });
    return activated;
  }
}
