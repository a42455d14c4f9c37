// The proxy's TLS identity: one SecureContext for its certificate and trust bundle, shared by
// every connection in both directions, replaced whole when certificates rotate.

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext } from 'node:tls';
import { MeshError } from '@weft/errors';

export interface IdentityMaterial {
  readonly certPem: string;
  readonly keyPem: string;
  readonly trustBundlePem: string;
}

export interface Identity {
  readonly context: SecureContext;
  readonly material: IdentityMaterial;
  readonly spiffeId: string;
  readonly serial: string;
  readonly notAfter: Date;
}

export class IdentityError extends MeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MESH_ERR_IDENTITY', message, options);
  }
}

/** Cipher and protocol floor for the mesh: TLS 1.2+ only, as the issue demands 1.2 and 1.3. */
const MIN_TLS_VERSION = 'TLSv1.2';

export function buildIdentity(material: IdentityMaterial): Identity {
  let leaf: X509Certificate;
  let context: SecureContext;
  try {
    leaf = new X509Certificate(material.certPem);
    context = createSecureContext({
      cert: material.certPem,
      key: material.keyPem,
      ca: material.trustBundlePem,
      minVersion: MIN_TLS_VERSION,
    });
  } catch (error) {
    throw new IdentityError(`cannot use the certificate or key: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const spiffeId = spiffeIdOf(leaf);
  if (spiffeId === undefined) throw new IdentityError('the certificate has no spiffe:// URI SAN');
  return {
    context,
    material,
    spiffeId,
    serial: leaf.serialNumber,
    notAfter: new Date(leaf.validTo),
  };
}

export async function readIdentityFiles(files: {
  certFile: string;
  keyFile: string;
  trustBundleFile: string;
}): Promise<Identity> {
  const [certPem, keyPem, trustBundlePem] = await Promise.all([
    readFile(files.certFile, 'utf8'),
    readFile(files.keyFile, 'utf8'),
    readFile(files.trustBundleFile, 'utf8'),
  ]);
  return buildIdentity({ certPem, keyPem, trustBundlePem });
}

/** The one spiffe:// URI SAN of a certificate, or undefined when there is none or several. */
export function spiffeIdOf(certificate: X509Certificate | undefined): string | undefined {
  const names = certificate?.subjectAltName;
  if (names === undefined) return undefined;
  const ids = names
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('URI:spiffe://'))
    .map((entry) => entry.slice('URI:'.length));
  return ids.length === 1 ? ids[0] : undefined;
}
