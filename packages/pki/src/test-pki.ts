// A throwaway CA for tests, generated at test time so no private key is ever committed.

import { type CertificateAuthority, createIntermediateCa, createRootCa } from './ca.ts';
import { generateKeyPair } from './keys.ts';
import { issueLeafCertificate } from './leaf.ts';
import { formatSpiffeId } from './spiffe.ts';

/**
 * The trust domain of a mesh whose config names none (mesh-config's DEFAULT_TRUST_DOMAIN), so that
 * test identities are the ones compiled snapshots expect.
 */
const TEST_TRUST_DOMAIN = 'weft.local';

export interface TestPkiOptions {
  readonly trustDomain?: string;
  /** Issue identities from an intermediate, so chains are sent as in production. */
  readonly intermediate?: boolean;
}

export interface TestIdentityOptions {
  readonly lifetimeMs?: number;
  readonly notBefore?: Date;
}

/** Ready for node:tls: `cert` is certPem, `key` is keyPem, `ca` is caPem. */
export interface TestIdentity {
  /** The leaf and its intermediates, as a TLS peer sends them. */
  readonly certPem: string;
  readonly keyPem: string;
  readonly spiffeId: string;
  readonly serial: string;
  /** The trust bundle: the root certificate. */
  readonly caPem: string;
}

export interface TestPki {
  readonly trustDomain: string;
  readonly root: CertificateAuthority;
  /** The CA that issues identities: the intermediate when there is one, else the root. */
  readonly issuer: CertificateAuthority;
  identity(
    namespace: string,
    service: string,
    options?: TestIdentityOptions,
  ): Promise<TestIdentity>;
}

export async function createTestPki(options: TestPkiOptions = {}): Promise<TestPki> {
  const trustDomain = options.trustDomain ?? TEST_TRUST_DOMAIN;
  const root = await createRootCa({ commonName: `${trustDomain} test root CA` });
  const issuer = options.intermediate
    ? await createIntermediateCa({
        issuer: root,
        commonName: `${trustDomain} test intermediate CA`,
      })
    : root;
  return {
    trustDomain,
    root,
    issuer,
    async identity(namespace, service, identityOptions = {}) {
      const { privateKeyPem, publicKeyPem } = await generateKeyPair();
      const issued = await issueLeafCertificate({
        ...identityOptions,
        issuer,
        publicKeyPem,
        spiffeId: formatSpiffeId({ trustDomain, namespace, service }),
      });
      return {
        certPem: issued.chainPem,
        keyPem: privateKeyPem,
        spiffeId: issued.spiffeId,
        serial: issued.serial,
        caPem: root.certPem,
      };
    },
  };
}
