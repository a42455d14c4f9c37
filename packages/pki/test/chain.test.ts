// Root, intermediate and leaf as node:crypto (OpenSSL) sees them: links, signatures, flags, dates.

import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createIntermediateCa,
  createRootCa,
  DEFAULT_INTERMEDIATE_LIFETIME_MS,
  DEFAULT_ROOT_LIFETIME_MS,
  generateKeyPair,
  type IssuedCertificate,
  issueLeafCertificate,
  spiffeIdOf,
} from '../src/index.ts';
import { x509 } from '../src/x509.ts';

const SPIFFE_ID = 'spiffe://weft.local/ns/shop/sa/checkout';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

let root: CertificateAuthority;
let intermediate: CertificateAuthority;
let leaf: IssuedCertificate;
let rootCert: X509Certificate;
let intermediateCert: X509Certificate;
let leafCert: X509Certificate;

function pemsOf(chainPem: string): string[] {
  return chainPem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/g) ?? [];
}

function extensionsOf(pem: string) {
  const cert = new x509.X509Certificate(pem);
  return {
    basic: cert.getExtension(x509.BasicConstraintsExtension),
    keyUsage: cert.getExtension(x509.KeyUsagesExtension),
    san: cert.getExtension(x509.SubjectAlternativeNameExtension),
    ski: cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    aki: cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
  };
}

beforeAll(async () => {
  const now = new Date();
  root = await createRootCa({ commonName: 'Weft root, test', now });
  intermediate = await createIntermediateCa({ issuer: root, commonName: 'Weft issuing CA', now });
  const { publicKeyPem } = await generateKeyPair();
  leaf = await issueLeafCertificate({
    issuer: intermediate,
    publicKeyPem,
    spiffeId: SPIFFE_ID,
    now,
  });
  rootCert = new X509Certificate(root.certPem);
  intermediateCert = new X509Certificate(intermediate.certPem);
  leafCert = new X509Certificate(leaf.certPem);
});

describe('the chain', () => {
  it('links and verifies leaf -> intermediate -> root', () => {
    expect(leafCert.checkIssued(intermediateCert)).toBe(true);
    expect(leafCert.verify(intermediateCert.publicKey)).toBe(true);
    expect(intermediateCert.checkIssued(rootCert)).toBe(true);
    expect(intermediateCert.verify(rootCert.publicKey)).toBe(true);
    expect(rootCert.checkIssued(rootCert)).toBe(true);
    expect(rootCert.verify(rootCert.publicKey)).toBe(true);
    expect(leafCert.checkIssued(rootCert)).toBe(false);
    expect(leafCert.verify(rootCert.publicKey)).toBe(false);
  });

  it('sends leaf and intermediate, never the root', () => {
    expect(root.chainPem).toBe('');
    expect(pemsOf(intermediate.chainPem)).toEqual([intermediate.certPem]);
    expect(pemsOf(leaf.chainPem)).toEqual([leaf.certPem, intermediate.certPem]);
  });

  it('matches each authority key identifier to the issuer’s subject key identifier', () => {
    const [r, i, l] = [root.certPem, intermediate.certPem, leaf.certPem].map(extensionsOf);
    expect(r?.ski).toMatch(/^[0-9a-f]{40}$/);
    expect(i?.aki).toBe(r?.ski);
    expect(l?.aki).toBe(i?.ski);
    expect(new Set([r?.ski, i?.ski, l?.ski]).size).toBe(3);
  });
});

describe('the CAs', () => {
  it('are CAs, with critical basic constraints and key usage for signing certificates and CRLs', () => {
    expect(rootCert.ca).toBe(true);
    expect(intermediateCert.ca).toBe(true);
    const [r, i] = [root.certPem, intermediate.certPem].map(extensionsOf);
    expect(r?.basic).toMatchObject({ ca: true, critical: true, pathLength: undefined });
    expect(i?.basic).toMatchObject({ ca: true, critical: true, pathLength: 0 });
    for (const ext of [r, i]) {
      expect(ext?.keyUsage?.critical).toBe(true);
      expect(ext?.keyUsage?.usages).toBe(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
      );
    }
  });

  it('carry their common name, commas and all', () => {
    // One CN holding a comma, which OpenSSL escapes, not a CN and a stray attribute.
    expect(rootCert.subject).toBe('CN=Weft root\\, test');
    expect(intermediateCert.issuer).toBe(rootCert.subject);
  });

  it('live a year (root) and 90 days (intermediate) by default', () => {
    expect(root.notAfter.getTime() - root.notBefore.getTime()).toBe(DEFAULT_ROOT_LIFETIME_MS);
    expect(intermediate.notAfter.getTime() - intermediate.notBefore.getTime()).toBe(
      DEFAULT_INTERMEDIATE_LIFETIME_MS,
    );
    expect(new Date(rootCert.validFrom)).toEqual(root.notBefore);
    expect(new Date(rootCert.validTo)).toEqual(root.notAfter);
  });
});

describe('the leaf', () => {
  it('is an X509-SVID: no subject, one critical URI SAN, not a CA', () => {
    expect(leafCert.ca).toBe(false);
    expect(leafCert.subject).toBeUndefined();
    expect(leafCert.subjectAltName).toBe(`URI:${SPIFFE_ID}`);
    expect(spiffeIdOf(leafCert)).toBe(SPIFFE_ID);
    expect(leaf.spiffeId).toBe(SPIFFE_ID);
    const ext = extensionsOf(leaf.certPem);
    expect(ext.san?.critical).toBe(true);
    expect(ext.basic).toMatchObject({ ca: false, critical: true });
  });

  it('signs only (critical key usage) and serves as both TLS server and client', () => {
    const ext = extensionsOf(leaf.certPem);
    expect(ext.keyUsage?.critical).toBe(true);
    expect(ext.keyUsage?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    // node names the extended key usage OIDs `keyUsage`.
    expect(leafCert.keyUsage.sort()).toEqual([SERVER_AUTH, CLIENT_AUTH].sort());
  });

  it('is valid now, within its issuer’s validity, with the serial node reports', () => {
    const now = Date.now();
    expect(new Date(leafCert.validFrom).getTime()).toBeLessThanOrEqual(now);
    expect(new Date(leafCert.validTo).getTime()).toBeGreaterThan(now);
    expect(leaf.notAfter.getTime()).toBeLessThanOrEqual(intermediate.notAfter.getTime());
    expect(leaf.serial).toBe(leafCert.serialNumber);
    expect(root.serial).toBe(rootCert.serialNumber);
    expect(intermediate.serial).toBe(intermediateCert.serialNumber);
  });
});
