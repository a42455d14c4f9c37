// The proxy's certificate files under controller management: written atomically, key 0600,
// and checked for whether they can still be used.

import { randomBytes, X509Certificate } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';

const PRIVATE_FILE_MODE = 0o600;

export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly trustBundleFile: string;
}

/** The certificate on disk while it is valid for at least `marginMs` more; undefined otherwise. */
export async function currentCertificate(
  files: CertificateFiles,
  marginMs: number,
): Promise<X509Certificate | undefined> {
  try {
    const [certPem] = await Promise.all([
      readFile(files.certFile, 'utf8'),
      readFile(files.keyFile, 'utf8'),
    ]);
    const certificate = new X509Certificate(certPem);
    return new Date(certificate.validTo).getTime() - marginMs > Date.now()
      ? certificate
      : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCertificateFiles(
  files: CertificateFiles,
  material: { certPem: string; keyPem: string; trustBundlePem: string },
): Promise<void> {
  await atomicWrite(files.keyFile, material.keyPem, PRIVATE_FILE_MODE);
  await atomicWrite(files.trustBundleFile, material.trustBundlePem);
  await atomicWrite(files.certFile, material.certPem);
}

export async function writeTrustBundle(
  files: CertificateFiles,
  trustBundlePem: string,
): Promise<void> {
  await atomicWrite(files.trustBundleFile, trustBundlePem);
}

/**
 * A fresh temporary name, created exclusively: a leftover under a name that was used before, or
 * a link planted there, would keep its own mode or send the key where the link points.
 */
async function atomicWrite(file: string, text: string, mode?: number): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, text, { flag: 'wx', ...(mode === undefined ? {} : { mode }) });
  await rename(temporary, file);
}
