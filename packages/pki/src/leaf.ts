// Workload certificates (X509-SVIDs): the identity the controller authorized, on a key the workload holds.

import type { webcrypto } from 'node:crypto';
import type { CertificateAuthority } from './ca.ts';
import { verifyCsr } from './csr.ts';
import { DEFAULT_LEAF_LIFETIME_MS } from './defaults.ts';
import { PkiError } from './errors.ts';
import { importPublicKey } from './keys.ts';
import { type SignedCertificate, sign, signerOf } from './signing.ts';
import { assertSpiffeId } from './spiffe.ts';
import { x509 } from './x509.ts';

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
  const [publicKey, signer] = await Promise.all([subjectKey(options), signerOf(issuer)]);
  const signed = await sign(
    {
      subject: undefined,
      publicKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        // Critical because the subject is empty (RFC 5280 4.2.1.6), as the X509-SVID spec has it.
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId }], true),
      ],
      validity: {
        lifetimeMs: options.lifetimeMs ?? DEFAULT_LEAF_LIFETIME_MS,
        notBefore: options.notBefore,
        now: options.now,
      },
    },
    signer,
  );
  return { ...signed, spiffeId, chainPem: signed.certPem + issuer.chainPem };
}

async function subjectKey(
  options: IssueLeafOptions,
): Promise<x509.PublicKey | webcrypto.CryptoKey> {
  const { csrPem, publicKeyPem, spiffeId } = options;
  if (publicKeyPem !== undefined && csrPem === undefined) return importPublicKey(publicKeyPem);
  if (csrPem === undefined || publicKeyPem !== undefined) {
    throw new PkiError(
      'MESH_ERR_INVALID_ISSUE_REQUEST',
      'give exactly one of csrPem and publicKeyPem',
    );
  }
  const csr = await verifyCsr(csrPem);
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
  return csr.publicKey;
}
