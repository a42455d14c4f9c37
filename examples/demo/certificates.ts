// The demo's workload certificates: a fresh one per instance, from the CA kept in the work
// folder (reused by the next start; see loadOrCreateCaFiles).

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spiffeId } from '@weft/mesh-config';
import { type CertificateAuthority, generateKeyPair, issueLeafCertificate } from '@weft/pki';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly trustBundleFile: string;
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
