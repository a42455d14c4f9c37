// Builds and signs an X509-SVID leaf directly in DER with node:crypto: the fixed shape of a
// workload certificate, so only serial, validity, key and name change between two of them.

import {
  createHash,
  createPrivateKey,
  type KeyObject,
  randomFillSync,
  sign,
  X509Certificate,
} from 'node:crypto';
import type { CertificateAuthority } from './ca.ts';
import { SERIAL_BYTES } from './defaults.ts';
import {
  bitString,
  children,
  explicit,
  octetString,
  oid,
  read,
  sequence,
  TRUE,
  time,
  tlv,
  toPem,
  unsignedInteger,
} from './der.ts';
import { PkiError } from './errors.ts';

const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const VERSION_3 = explicit(0, tlv(0x02, Buffer.from([2])));
const EMPTY_SUBJECT = sequence();
const OID = {
  basicConstraints: oid('2.5.29.19'),
  keyUsage: oid('2.5.29.15'),
  extKeyUsage: oid('2.5.29.37'),
  subjectAltName: oid('2.5.29.17'),
  subjectKeyId: oid('2.5.29.14'),
  authorityKeyId: oid('2.5.29.35'),
};
const LEAF_BASIC_CONSTRAINTS = sequence(OID.basicConstraints, TRUE, octetString(sequence()));
/** digitalSignature only: bit 0, seven unused bits. */
const LEAF_KEY_USAGE = sequence(
  OID.keyUsage,
  TRUE,
  octetString(tlv(0x03, Buffer.from([0x07, 0x80]))),
);
const LEAF_EXT_KEY_USAGE = sequence(
  OID.extKeyUsage,
  octetString(sequence(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))),
);

interface IssuerMaterial {
  readonly subject: Buffer;
  readonly keyId: Buffer;
  readonly key: KeyObject;
}

// The issuer's name, key identifier and key are read once per CA object.
const issuers = new WeakMap<CertificateAuthority, IssuerMaterial>();

function issuerMaterial(ca: CertificateAuthority): IssuerMaterial {
  let material = issuers.get(ca);
  if (material === undefined) {
    const certificate = new X509Certificate(ca.certPem);
    const tbs = children(read(certificate.raw).content)[0];
    // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, ...
    const subject = tbs === undefined ? undefined : children(tbs.content)[5];
    if (subject === undefined)
      throw new PkiError('MESH_ERR_INVALID_CERTIFICATE', 'the issuer certificate has no subject');
    const keyId = subjectKeyIdOf(tbs?.content ?? Buffer.alloc(0));
    if (keyId === undefined) {
      // A child's authority key identifier must equal this; guessing it could produce
      // certificates no verifier links to their issuer.
      throw new PkiError(
        'MESH_ERR_INVALID_CERTIFICATE',
        'the issuer has no subject key identifier',
      );
    }
    material = { subject: Buffer.from(subject.raw), keyId, key: createPrivateKey(ca.keyPem) };
    issuers.set(ca, material);
  }
  return material;
}

/** The subjectKeyIdentifier extension's value, from a TBSCertificate's content. */
function subjectKeyIdOf(tbsContent: Buffer): Buffer | undefined {
  const extensions = children(tbsContent).find((element) => element.tag === 0xa3);
  if (extensions === undefined) return undefined;
  for (const extension of children(read(extensions.content).content)) {
    const [id, ...rest] = children(extension.content);
    const value = rest.at(-1);
    if (id !== undefined && value !== undefined && id.raw.equals(OID.subjectKeyId))
      return Buffer.from(read(value.content).content);
  }
  return undefined;
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(spki: Buffer): Buffer {
  const [, subjectPublicKey] = children(read(spki).content);
  return createHash('sha1')
    .update(subjectPublicKey?.content.subarray(1) ?? Buffer.alloc(0))
    .digest();
}

/** 16 random bytes, first byte 0x01-0x7f: positive, no sign byte, always 32 hex digits. */
function randomSerial(): Buffer {
  const bytes = randomFillSync(Buffer.alloc(SERIAL_BYTES));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes;
}

export interface LeafRequest {
  readonly issuer: CertificateAuthority;
  readonly spki: Buffer;
  readonly spiffeId: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export function signLeaf(request: LeafRequest): { certPem: string; serial: string } {
  const issuer = issuerMaterial(request.issuer);
  const serial = randomSerial();
  const extensions = explicit(
    3,
    sequence(
      LEAF_BASIC_CONSTRAINTS,
      LEAF_KEY_USAGE,
      LEAF_EXT_KEY_USAGE,
      // Critical because the subject is empty (RFC 5280 4.2.1.6), as the X509-SVID spec has it.
      sequence(
        OID.subjectAltName,
        TRUE,
        octetString(sequence(tlv(0x86, Buffer.from(request.spiffeId, 'ascii')))),
      ),
      sequence(OID.subjectKeyId, octetString(octetString(keyIdentifier(request.spki)))),
      sequence(OID.authorityKeyId, octetString(sequence(tlv(0x80, issuer.keyId)))),
    ),
  );
  const tbs = sequence(
    VERSION_3,
    unsignedInteger(serial),
    ECDSA_SHA256,
    issuer.subject,
    sequence(time(request.notBefore), time(request.notAfter)),
    EMPTY_SUBJECT,
    request.spki,
    extensions,
  );
  const certificate = sequence(tbs, ECDSA_SHA256, bitString(sign('sha256', tbs, issuer.key)));
  return {
    certPem: toPem(certificate, 'CERTIFICATE'),
    serial: serial.toString('hex').toUpperCase(),
  };
}
