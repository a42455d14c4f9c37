// Signing one certificate under a CA: the validity window, the serial and the key identifiers.

import type { webcrypto } from 'node:crypto';
import type { CertificateAuthority } from './ca.ts';
import { NOT_BEFORE_BACKDATE_MS, SERIAL_BYTES } from './defaults.ts';
import { PkiError } from './errors.ts';
import { importPrivateKey, SIGNING_ALGORITHM } from './keys.ts';
import { x509 } from './x509.ts';

/** The CA side of a signature: its key, its name, and the key identifier children point back to. */
export interface Signer {
  readonly name: x509.Name;
  readonly privateKey: webcrypto.CryptoKey;
  readonly keyId: string;
  /** Undefined for a root signing itself. */
  readonly notAfter: Date | undefined;
}

export interface Validity {
  readonly lifetimeMs: number;
  /** Defaults to `now` less NOT_BEFORE_BACKDATE_MS. */
  readonly notBefore?: Date | undefined;
  readonly now?: Date | undefined;
}

export interface SignRequest {
  /** Undefined leaves the subject empty, as an X509-SVID leaf has it. */
  readonly subject: x509.Name | undefined;
  readonly publicKey: webcrypto.CryptoKey | x509.PublicKey;
  /** The role's extensions; signing adds the subject and authority key identifiers. */
  readonly extensions: readonly x509.Extension[];
  readonly validity: Validity;
}

export interface SignedCertificate {
  readonly certPem: string;
  /** Uppercase hex: the form node:crypto's X509Certificate.serialNumber gives every TLS peer. */
  readonly serial: string;
  /** As encoded, so to the second. */
  readonly notBefore: Date;
  readonly notAfter: Date;
}

// Parsing the CA certificate and importing its key cost more than the signature itself, so a
// CA object is read once. Keyed weakly: a CA dropped by its holder leaves the cache with it.
const signers = new WeakMap<CertificateAuthority, Promise<Signer>>();

export function signerOf(ca: CertificateAuthority): Promise<Signer> {
  let signer = signers.get(ca);
  if (signer === undefined) {
    signer = readSigner(ca);
    signers.set(ca, signer);
  }
  return signer;
}

async function readSigner(ca: CertificateAuthority): Promise<Signer> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(ca.certPem);
  } catch (cause) {
    throw new PkiError('MESH_ERR_INVALID_CERTIFICATE', 'the issuer certificate is not X.509', {
      cause,
    });
  }
  const keyId = cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  if (keyId === undefined) {
    // Chain building matches a child's authority key identifier to this; guessing it could
    // produce certificates no verifier links to their issuer.
    throw new PkiError('MESH_ERR_INVALID_CERTIFICATE', 'the issuer has no subject key identifier');
  }
  const privateKey = await importPrivateKey(ca.keyPem);
  return { name: cert.subjectName, privateKey, keyId, notAfter: cert.notAfter };
}

export async function sign(request: SignRequest, signer: Signer): Promise<SignedCertificate> {
  const { notBefore, notAfter } = validityWindow(request.validity, signer.notAfter);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    ...(request.subject && { subject: request.subject }),
    issuer: signer.name,
    notBefore,
    notAfter,
    publicKey: request.publicKey,
    signingKey: signer.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      ...request.extensions,
      await x509.SubjectKeyIdentifierExtension.create(request.publicKey),
      new x509.AuthorityKeyIdentifierExtension(signer.keyId),
    ],
  });
  return {
    // Newline-terminated, so PEMs concatenate into chains as they are.
    certPem: `${cert.toString('pem')}\n`,
    serial: cert.serialNumber.toUpperCase(),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

export function validityWindow(
  validity: Validity,
  issuerNotAfter: Date | undefined,
): { notBefore: Date; notAfter: Date } {
  if (!Number.isFinite(validity.lifetimeMs) || validity.lifetimeMs <= 0) {
    throw new PkiError(
      'MESH_ERR_INVALID_ISSUE_REQUEST',
      `lifetimeMs must be a positive number, got ${validity.lifetimeMs}`,
    );
  }
  const now = validity.now ?? new Date();
  const notBefore = validity.notBefore ?? new Date(now.getTime() - NOT_BEFORE_BACKDATE_MS);
  // A certificate that outlived its issuer would stop verifying before its stated expiry, and
  // the expiry the controller records and shows would be wrong.
  const notAfter = new Date(
    Math.min(notBefore.getTime() + validity.lifetimeMs, issuerNotAfter?.getTime() ?? Infinity),
  );
  // Negated so that an invalid Date, whose time is NaN, fails too.
  if (!(notAfter.getTime() > notBefore.getTime())) {
    throw new PkiError(
      'MESH_ERR_INVALID_ISSUE_REQUEST',
      'no validity window: an invalid date, or a start after the issuer expires',
    );
  }
  return { notBefore, notAfter };
}

function randomSerial(): string {
  // The library strips leading zero bytes and adds the sign byte that keeps the value positive.
  return Buffer.from(crypto.getRandomValues(new Uint8Array(SERIAL_BYTES))).toString('hex');
}
