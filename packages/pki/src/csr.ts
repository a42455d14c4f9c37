// PKCS#10 requests: a workload asks for its SPIFFE ID with a key it keeps; the CA reads and checks one.

import { PkiError } from './errors.ts';
import { importPrivateKey, importPublicKey, SIGNING_ALGORITHM } from './keys.ts';
import { assertSpiffeId } from './spiffe.ts';
import { x509 } from './x509.ts';

export interface CreateCsrOptions {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  /** Omitted when the workload leaves its identity to the CA (a proxy bootstrapping with a join token). */
  readonly spiffeId?: string;
}

export async function createCsr(options: CreateCsrOptions): Promise<string> {
  if (options.spiffeId !== undefined) assertSpiffeId(options.spiffeId);
  const [privateKey, publicKey] = await Promise.all([
    importPrivateKey(options.privateKeyPem),
    importPublicKey(options.publicKeyPem),
  ]);
  // Subject left empty, as in the X509-SVID the CA will issue; the identity is the URI SAN.
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys: { privateKey, publicKey },
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions:
      options.spiffeId === undefined
        ? []
        : [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: options.spiffeId }])],
  });
  // Halves of different pairs would give a CSR every CA rejects; say so here, where it is fixable.
  if (!(await csr.verify())) {
    throw new PkiError('MESH_ERR_INVALID_KEY', 'the private and public keys are not one pair');
  }
  return `${csr.toString('pem')}\n`;
}
