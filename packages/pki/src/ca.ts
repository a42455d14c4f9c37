// Certificate authorities: the self-signed root and the intermediates that issue workload certificates.

import { DEFAULT_INTERMEDIATE_LIFETIME_MS, DEFAULT_ROOT_LIFETIME_MS } from './defaults.ts';
import { generateKeyPair, importPrivateKey, importPublicKey } from './keys.ts';
import { type SignedCertificate, sign, signerOf } from './signing.ts';
import { x509 } from './x509.ts';

export interface CertificateAuthority extends SignedCertificate {
  /** PKCS#8 private key PEM. */
  readonly keyPem: string;
  /**
   * What a certificate this CA issues is sent with: this CA and its issuers, excluding the
   * self-signed root, which peers already hold as their trust anchor. Empty for a root.
   */
  readonly chainPem: string;
}

export interface CreateRootCaOptions {
  readonly commonName: string;
  readonly lifetimeMs?: number;
  readonly now?: Date;
}

export interface CreateIntermediateCaOptions extends CreateRootCaOptions {
  readonly issuer: CertificateAuthority;
}

export async function createRootCa(options: CreateRootCaOptions): Promise<CertificateAuthority> {
  const { privateKeyPem, publicKeyPem } = await generateKeyPair();
  const [privateKey, publicKey] = await Promise.all([
    importPrivateKey(privateKeyPem),
    importPublicKey(publicKeyPem),
  ]);
  const name = commonNameOf(options.commonName);
  const { keyId } = await x509.SubjectKeyIdentifierExtension.create(publicKey);
  const signed = await sign(
    {
      subject: name,
      publicKey,
      extensions: caExtensions(undefined),
      validity: { lifetimeMs: options.lifetimeMs ?? DEFAULT_ROOT_LIFETIME_MS, now: options.now },
    },
    { name, privateKey, keyId, notAfter: undefined },
  );
  return { ...signed, keyPem: privateKeyPem, chainPem: '' };
}

export async function createIntermediateCa(
  options: CreateIntermediateCaOptions,
): Promise<CertificateAuthority> {
  const { privateKeyPem, publicKeyPem } = await generateKeyPair();
  const signed = await sign(
    {
      subject: commonNameOf(options.commonName),
      publicKey: await importPublicKey(publicKeyPem),
      // Path length 0: an intermediate issues workloads only, never further CAs.
      extensions: caExtensions(0),
      validity: {
        lifetimeMs: options.lifetimeMs ?? DEFAULT_INTERMEDIATE_LIFETIME_MS,
        now: options.now,
      },
    },
    await signerOf(options.issuer),
  );
  return {
    ...signed,
    keyPem: privateKeyPem,
    chainPem: signed.certPem + options.issuer.chainPem,
  };
}

function caExtensions(pathLength: number | undefined): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
}

// Built from JSON rather than a 'CN=…' string, which would misparse names holding commas.
function commonNameOf(commonName: string): x509.Name {
  return new x509.Name([{ CN: [commonName] }]);
}
