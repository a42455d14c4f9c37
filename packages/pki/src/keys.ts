// ECDSA P-256 key pairs as PEM, and their import into WebCrypto for signing and issuance.

import type { webcrypto } from 'node:crypto';
import { PkiError } from './errors.ts';
import { x509 } from './x509.ts';

export interface KeyPairPem {
  /** PKCS#8, as node:tls takes it for `key`. */
  readonly privateKeyPem: string;
  /** SubjectPublicKeyInfo. */
  readonly publicKeyPem: string;
}

export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

export async function generateKeyPair(): Promise<KeyPairPem> {
  const keys = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const [pkcs8, spki] = await Promise.all([
    crypto.subtle.exportKey('pkcs8', keys.privateKey),
    crypto.subtle.exportKey('spki', keys.publicKey),
  ]);
  // Newline-terminated like every PEM this package writes, and like node:crypto's own.
  return {
    privateKeyPem: `${x509.PemConverter.encode(pkcs8, x509.PemConverter.PrivateKeyTag)}\n`,
    publicKeyPem: `${x509.PemConverter.encode(spki, x509.PemConverter.PublicKeyTag)}\n`,
  };
}

// Only P-256 is accepted: the imports below fail for any other key type or curve.

export async function importPrivateKey(privateKeyPem: string): Promise<webcrypto.CryptoKey> {
  // Not extractable: once imported, a private key is only ever used to sign.
  return importKey('pkcs8', privateKeyPem, false, 'private key');
}

export async function importPublicKey(publicKeyPem: string): Promise<webcrypto.CryptoKey> {
  // Extractable, as it is written into certificates and CSRs.
  return importKey('spki', publicKeyPem, true, 'public key');
}

async function importKey(
  format: 'pkcs8' | 'spki',
  pem: string,
  extractable: boolean,
  what: string,
): Promise<webcrypto.CryptoKey> {
  const usages: webcrypto.KeyUsage[] = format === 'pkcs8' ? ['sign'] : ['verify'];
  try {
    const der = x509.PemConverter.decodeFirst(pem);
    return await crypto.subtle.importKey(format, der, KEY_ALGORITHM, extractable, usages);
  } catch (cause) {
    throw new PkiError('MESH_ERR_INVALID_KEY', `not an ECDSA P-256 ${what} in PEM`, { cause });
  }
}
