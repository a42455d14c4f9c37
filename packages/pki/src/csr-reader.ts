// Reads a PKCS#10 CSR natively: the public key it carries, the names it requests, and proof
// (its signature) that the requester holds the matching private key.

import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { children, decodeOid, pemBody, read, TAG } from './der.ts';
import { PkiError } from './errors.ts';

const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const P256 = 'prime256v1';
/** GeneralName tags (RFC 5280 4.2.1.6), context-specific and primitive. */
const GENERAL_NAME_TYPES: Record<number, string> = {
  129: 'email',
  130: 'dns',
  134: 'url',
  135: 'ip',
};

export interface ReadCsr {
  /** SubjectPublicKeyInfo, DER, as it goes into the certificate. */
  readonly spki: Buffer;
  readonly publicKey: KeyObject;
  readonly requestedNames: readonly { type: string; value: string }[];
}

export function readCsr(csrPem: string): ReadCsr {
  try {
    const request = read(pemBody(csrPem, 'CERTIFICATE REQUEST'));
    const [info, algorithm, signature] = children(request.content);
    if (info === undefined || algorithm === undefined || signature?.tag !== TAG.bitString)
      throw new RangeError('not a CSR');
    const [, , spkiElement, attributes] = children(info.content);
    if (spkiElement === undefined) throw new RangeError('the CSR has no public key');
    const algorithmOid = children(algorithm.content)[0];
    if (algorithmOid === undefined || decodeOid(algorithmOid.content) !== OID_ECDSA_SHA256) {
      throw new PkiError(
        'MESH_ERR_INVALID_CSR',
        'the CSR must be signed with ECDSA P-256 and SHA-256',
      );
    }
    const publicKey = createPublicKey({ key: spkiElement.raw, format: 'der', type: 'spki' });
    if (publicKey.asymmetricKeyDetails?.namedCurve !== P256) {
      throw new PkiError('MESH_ERR_INVALID_KEY', 'the CSR key must be ECDSA P-256');
    }
    if (!verify('sha256', info.raw, publicKey, signature.content.subarray(1))) {
      throw new PkiError(
        'MESH_ERR_INVALID_CSR',
        'the CSR signature does not verify: it was altered, or signed by another key',
      );
    }
    return {
      spki: Buffer.from(spkiElement.raw),
      publicKey,
      requestedNames: attributes === undefined ? [] : requestedNames(attributes.content),
    };
  } catch (error) {
    if (error instanceof PkiError) throw error;
    throw new PkiError('MESH_ERR_INVALID_CSR', `not a readable CSR: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function requestedNames(attributes: Buffer): { type: string; value: string }[] {
  const names: { type: string; value: string }[] = [];
  for (const attribute of children(attributes)) {
    const [type, values] = children(attribute.content);
    if (
      type === undefined ||
      values === undefined ||
      decodeOid(type.content) !== OID_EXTENSION_REQUEST
    )
      continue;
    for (const extensions of children(values.content)) {
      for (const extension of children(extensions.content)) {
        const parts = children(extension.content);
        const id = parts[0];
        const value = parts.at(-1);
        if (
          id === undefined ||
          value === undefined ||
          decodeOid(id.content) !== OID_SUBJECT_ALT_NAME
        )
          continue;
        for (const name of children(read(value.content).content)) {
          names.push({
            type: GENERAL_NAME_TYPES[name.tag] ?? `tag-${name.tag}`,
            value: name.content.toString('latin1'),
          });
        }
      }
    }
  }
  return names;
}
