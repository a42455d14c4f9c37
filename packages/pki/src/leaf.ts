// Workload certificates (X509-SVIDs): the identity the controller authorized, on a key the workload holds.

import { createPublicKey } from 'node:crypto';
import type { CertificateAuthority } from './ca.ts';
import { readCsr } from './csr-reader.ts';
import { DEFAULT_LEAF_LIFETIME_MS } from './defaults.ts';
import { PkiError } from './errors.ts';
import { signLeaf } from './leaf-der.ts';
import { type SignedCertificate, validityWindow } from './signing.ts';
import { assertSpiffeId } from './spiffe.ts';

export interface IssueLeafOptions {
  readonly issuer: CertificateAuthority;
  /** Exactly one of `csrPem` and `publicKeyPem`. */
  readonly csrPem?: string;
  readonly publicKeyPem?: string;
  /** Decided by the caller, who authorized it; a CSR may only repeat it. */
  readonly spiffeId: string;
  readonly lifetimeMs?: number;
  /** May lie in the past, with a lifetime that has already run out: tests need expired certificates. */
  readonly notBefore?: Date;
  readonly now?: Date;
}

export interface IssuedCertificate extends SignedCertificate {
  readonly spiffeId: string;
  /** What a TLS client or server sends: this certificate and its intermediates, never the root. */
  readonly chainPem: string;
}

export async function issueLeafCertificate(options: IssueLeafOptions): Promise<IssuedCertificate> {
  const { issuer, spiffeId } = options;
  assertSpiffeId(spiffeId);
  const { notBefore, notAfter } = validityWindow(
    {
      lifetimeMs: options.lifetimeMs ?? DEFAULT_LEAF_LIFETIME_MS,
      notBefore: options.notBefore,
      now: options.now,
    },
    issuer.notAfter,
  );
  // DER holds whole seconds; the dates returned are the ones encoded.
  const encoded = { notBefore: wholeSeconds(notBefore), notAfter: wholeSeconds(notAfter) };
  const { certPem, serial } = signLeaf({ issuer, spki: subjectKey(options), spiffeId, ...encoded });
  return { certPem, serial, ...encoded, spiffeId, chainPem: certPem + issuer.chainPem };
}

/**
 * Throws the PkiError issueLeafCertificate would for this CSR and identity, without signing: a
 * caller checks a request before it spends anything on it (a join token's use).
 */
export function checkCsr(csrPem: string, spiffeId: string): void {
  assertSpiffeId(spiffeId);
  subjectKey({ csrPem, spiffeId });
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1_000) * 1_000);
}

/** The subject's SubjectPublicKeyInfo, from a CSR whose identity request is checked, or a key. */
function subjectKey(
  options: Pick<IssueLeafOptions, 'csrPem' | 'publicKeyPem' | 'spiffeId'>,
): Buffer {
  const { csrPem, publicKeyPem, spiffeId } = options;
  if (publicKeyPem !== undefined && csrPem === undefined) {
    try {
      const key = createPublicKey(publicKeyPem);
      if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
        throw new Error('not an ECDSA P-256 key');
      return key.export({ type: 'spki', format: 'der' });
    } catch (cause) {
      throw new PkiError(
        'MESH_ERR_INVALID_KEY',
        `the public key cannot be used: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  if (csrPem === undefined || publicKeyPem !== undefined) {
    throw new PkiError(
      'MESH_ERR_INVALID_ISSUE_REQUEST',
      'give exactly one of csrPem and publicKeyPem',
    );
  }
  const csr = readCsr(csrPem);
  // The CA issues only the authorized identity, so a request for anything else, even in
  // addition to it, is refused rather than silently narrowed.
  const [only] = csr.requestedNames;
  const asksOnlyForIt =
    csr.requestedNames.length === 1 && only?.type === 'url' && only.value === spiffeId;
  if (csr.requestedNames.length > 0 && !asksOnlyForIt) {
    const requested = csr.requestedNames.map((name) => `${name.type}:${name.value}`).join(', ');
    throw new PkiError(
      'MESH_ERR_CSR_IDENTITY_MISMATCH',
      `the CSR requests ${requested}, the caller authorized ${spiffeId}`,
    );
  }
  return csr.spki;
}
