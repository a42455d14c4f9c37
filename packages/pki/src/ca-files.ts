// A root CA kept as two files (ca.pem, ca-key.pem 0600): reused while valid, created when
// absent. For standalone proxies and the demo; the controller's CA keeps its key encrypted.

import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CertificateAuthority, createRootCa } from './ca.ts';
import { PkiError } from './errors.ts';

const PRIVATE_FILE_MODE = 0o600;

export interface CaFiles {
  readonly ca: CertificateAuthority;
  /** True when this call made the CA. */
  readonly created: boolean;
  readonly certFile: string;
}

export async function loadOrCreateCaFiles(dir: string, commonName: string): Promise<CaFiles> {
  await mkdir(dir, { recursive: true });
  const certFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca-key.pem');
  let certPem: string;
  let keyPem: string;
  try {
    [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  } catch (error) {
    // Only a missing CA is created; anything else (permissions, half a pair) must not be overwritten.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const ca = await createRootCa({ commonName });
    await writeFile(certFile, ca.certPem, { flag: 'wx' });
    await writeFile(keyFile, ca.keyPem, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    return { ca, created: true, certFile };
  }
  const cert = new X509Certificate(certPem);
  const notAfter = new Date(cert.validTo);
  if (notAfter.getTime() <= Date.now()) {
    throw new PkiError(
      'MESH_ERR_INVALID_CERTIFICATE',
      `${certFile} expired at ${notAfter.toISOString()}; move it away to create a new CA`,
    );
  }
  return {
    ca: {
      certPem,
      keyPem,
      serial: cert.serialNumber,
      notBefore: new Date(cert.validFrom),
      notAfter,
      chainPem: '',
    },
    created: false,
    certFile,
  };
}
