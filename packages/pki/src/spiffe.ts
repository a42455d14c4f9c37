// SPIFFE IDs: the syntax check, the mesh's ns/sa shape, and reading the ID out of a certificate.

import type { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { PkiError } from './errors.ts';
import { x509 } from './x509.ts';

export interface MeshIdentity {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly service: string;
}

// From the SPIFFE ID standard: a lowercase trust domain, then a non-empty path whose segments
// use only these characters. An X509-SVID leaf must carry a path, so the bare trust domain fails.
const SPIFFE_ID = /^spiffe:\/\/([a-z0-9._-]+)((?:\/[A-Za-z0-9._-]+)+)$/;
const MAX_SPIFFE_ID_BYTES = 2048;
const MAX_TRUST_DOMAIN_CHARS = 255;
const MESH_PATH = /^\/ns\/([^/]+)\/sa\/([^/]+)$/;

export function isSpiffeId(id: string): boolean {
  return split(id) !== undefined;
}

export function assertSpiffeId(id: string): void {
  if (!isSpiffeId(id)) {
    throw new PkiError('MESH_ERR_INVALID_SPIFFE_ID', `not a SPIFFE ID with a path: '${id}'`);
  }
}

/** The mesh's identities are `spiffe://<trust-domain>/ns/<namespace>/sa/<service>`; others give undefined. */
export function parseSpiffeId(id: string): MeshIdentity | undefined {
  const parts = split(id);
  const match = parts && MESH_PATH.exec(parts.path);
  if (!parts || !match) return undefined;
  const [, namespace = '', service = ''] = match;
  return { trustDomain: parts.trustDomain, namespace, service };
}

/** The mesh's SPIFFE ID of a service: what parseSpiffeId reads back. */
export function formatSpiffeId(identity: MeshIdentity): string {
  return `spiffe://${identity.trustDomain}/ns/${identity.namespace}/sa/${identity.service}`;
}

function split(id: string): { trustDomain: string; path: string } | undefined {
  const match = SPIFFE_ID.exec(id);
  if (match === null) return undefined;
  const [, trustDomain = '', path = ''] = match;
  const valid =
    Buffer.byteLength(id) <= MAX_SPIFFE_ID_BYTES &&
    trustDomain.length <= MAX_TRUST_DOMAIN_CHARS &&
    path.split('/').every((segment) => segment !== '.' && segment !== '..');
  return valid ? { trustDomain, path } : undefined;
}

/**
 * The SPIFFE ID of a certificate (the first one of a PEM chain), or undefined unless it has
 * exactly one URI SAN and that URI is a SPIFFE ID, as an X509-SVID must.
 */
export function spiffeIdOf(cert: string | NodeX509Certificate): string | undefined {
  // Read from the DER: node's subjectAltName string quotes and escapes some values, and a
  // parser of that text is one bug away from letting a crafted SAN pose as another identity.
  let parsed: x509.X509Certificate;
  try {
    parsed = new x509.X509Certificate(typeof cert === 'string' ? cert : cert.raw);
  } catch (cause) {
    throw new PkiError('MESH_ERR_INVALID_CERTIFICATE', 'not an X.509 certificate', { cause });
  }
  const san = parsed.getExtension(x509.SubjectAlternativeNameExtension);
  const uris = san?.names.items.filter((name) => name.type === 'url') ?? [];
  const [only] = uris;
  return uris.length === 1 && only !== undefined && isSpiffeId(only.value) ? only.value : undefined;
}
