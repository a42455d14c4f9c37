// The demo's certificates: a root CA kept in the work folder (reused by the next start) and a
// fresh workload certificate per instance.

import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spiffeId } from '@weft/mesh-config';
import {
  type CertificateAuthority,
  createRootCa,
  generateKeyPair,
  issueLeafCertificate,
} from '@weft/pki';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly trustBundleFile: string;
}

export async function loadOrCreateCa(
  dir: string,
  trustDomain: string,
): Promise<CertificateAuthority> {
  await mkdir(dir, { recursive: true });
  const certFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca-key.pem');
  try {
    const [certPem, keyPem] = await Promise.all([
      readFile(certFile, 'utf8'),
      readFile(keyFile, 'utf8'),
    ]);
    const cert = new X509Certificate(certPem);
    if (new Date(cert.validTo).getTime() > Date.now()) {
      return {
        certPem,
        keyPem,
        serial: cert.serialNumber,
        notBefore: new Date(cert.validFrom),
        notAfter: new Date(cert.validTo),
        chainPem: '',
      };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const ca = await createRootCa({ commonName: `${trustDomain} demo root CA` });
  await writeFile(certFile, ca.certPem);
  await writeFile(keyFile, ca.keyPem, { mode: 0o600 });
  return ca;
}

export async function issueFiles(
  ca: CertificateAuthority,
  dir: string,
  name: string,
  identity: string,
): Promise<TlsFiles> {
  const keys = await generateKeyPair();
  const issued = await issueLeafCertificate({
    issuer: ca,
    publicKeyPem: keys.publicKeyPem,
    spiffeId: identity,
  });
  const files = {
    certFile: join(dir, `${name}.pem`),
    keyFile: join(dir, `${name}-key.pem`),
    trustBundleFile: join(dir, 'ca.pem'),
  };
  await writeFile(files.certFile, issued.chainPem);
  await writeFile(files.keyFile, keys.privateKeyPem, { mode: 0o600 });
  return files;
}

export { spiffeId };
