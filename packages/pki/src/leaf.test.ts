// Leaf issuance: CSR checks, the identity rule, validity windows and the serial's form.

import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CertificateAuthority, createIntermediateCa, createRootCa } from './ca.ts';
import { createCsr } from './csr.ts';
import { DEFAULT_LEAF_LIFETIME_MS, NOT_BEFORE_BACKDATE_MS } from './defaults.ts';
import { generateKeyPair, type KeyPairPem } from './keys.ts';
import { issueLeafCertificate } from './leaf.ts';
import { spiffeIdOf } from './spiffe.ts';
import { x509 } from './x509.ts';

const WEB = 'spiffe://weft.local/ns/default/sa/web';
const ADMIN = 'spiffe://weft.local/ns/default/sa/admin';
const HOUR_MS = 3_600_000;

let issuer: CertificateAuthority;
let pair: KeyPairPem;

beforeAll(async () => {
  const root = await createRootCa({ commonName: 'leaf test root' });
  issuer = await createIntermediateCa({ issuer: root, commonName: 'leaf test intermediate' });
  pair = await generateKeyPair();
});

function coded(code: string) {
  return expect.objectContaining({ name: 'PkiError', code });
}

function der(pem: string): Buffer {
  return Buffer.from(x509.PemConverter.decodeFirst(pem));
}

function pem(bytes: Buffer): string {
  return x509.PemConverter.encode(bytes, x509.PemConverter.CertificateRequestTag);
}

describe('issueLeafCertificate from a CSR', () => {
  it('issues the requested identity on the requester’s key', async () => {
    const csrPem = await createCsr({ ...pair, spiffeId: WEB });
    const leaf = await issueLeafCertificate({ issuer, csrPem, spiffeId: WEB });
    const cert = new X509Certificate(leaf.certPem);
    expect(spiffeIdOf(cert)).toBe(WEB);
    expect(cert.publicKey.export({ type: 'spki', format: 'pem' })).toBe(pair.publicKeyPem);
  });

  it('accepts a CSR that requests no names, the caller’s identity being authoritative', async () => {
    const keys = await Promise.all([
      crypto.subtle.importKey(
        'pkcs8',
        der(pair.privateKeyPem),
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['sign'],
      ),
      crypto.subtle.importKey(
        'spki',
        der(pair.publicKeyPem),
        { name: 'ECDSA', namedCurve: 'P-256' },
        true,
        ['verify'],
      ),
    ]);
    const bare = await x509.Pkcs10CertificateRequestGenerator.create({
      keys: { privateKey: keys[0], publicKey: keys[1] },
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      name: 'CN=ignored',
    });
    const leaf = await issueLeafCertificate({
      issuer,
      csrPem: bare.toString('pem'),
      spiffeId: WEB,
    });
    expect(spiffeIdOf(leaf.certPem)).toBe(WEB);
    expect(new X509Certificate(leaf.certPem).subject).toBeUndefined();
  });

  it('rejects a CSR whose signature was tampered with', async () => {
    const bytes = der(await createCsr({ ...pair, spiffeId: WEB }));
    const last = bytes.length - 1;
    bytes[last] = (bytes[last] ?? 0) ^ 0x01;
    await expect(
      issueLeafCertificate({ issuer, csrPem: pem(bytes), spiffeId: WEB }),
    ).rejects.toThrow(coded('MESH_ERR_INVALID_CSR'));
  });

  it('rejects a CSR whose requested identity was altered after signing', async () => {
    const bytes = der(await createCsr({ ...pair, spiffeId: WEB }));
    const at = bytes.indexOf('sa/web');
    bytes.write('sa/wex', at);
    const spiffeId = 'spiffe://weft.local/ns/default/sa/wex';
    await expect(issueLeafCertificate({ issuer, csrPem: pem(bytes), spiffeId })).rejects.toThrow(
      coded('MESH_ERR_INVALID_CSR'),
    );
  });

  it('rejects a CSR that is not one', async () => {
    await expect(issueLeafCertificate({ issuer, csrPem: 'hello', spiffeId: WEB })).rejects.toThrow(
      coded('MESH_ERR_INVALID_CSR'),
    );
  });

  it('rejects a CSR that asks for another identity than the one authorized', async () => {
    const csrPem = await createCsr({ ...pair, spiffeId: ADMIN });
    await expect(issueLeafCertificate({ issuer, csrPem, spiffeId: WEB })).rejects.toThrow(
      coded('MESH_ERR_CSR_IDENTITY_MISMATCH'),
    );
  });

  it('refuses to build a CSR from halves of two key pairs', async () => {
    const other = await generateKeyPair();
    await expect(
      createCsr({
        privateKeyPem: pair.privateKeyPem,
        publicKeyPem: other.publicKeyPem,
        spiffeId: WEB,
      }),
    ).rejects.toThrow(coded('MESH_ERR_INVALID_KEY'));
  });
});

describe('issueLeafCertificate checks its request', () => {
  it.each([
    ['neither key source', {}],
    ['both key sources', { csrPem: 'x', publicKeyPem: 'y' }],
  ])('wants exactly one of csrPem and publicKeyPem: %s', async (_, keys) => {
    await expect(issueLeafCertificate({ issuer, spiffeId: WEB, ...keys })).rejects.toThrow(
      coded('MESH_ERR_INVALID_ISSUE_REQUEST'),
    );
  });

  it('rejects a malformed SPIFFE ID', async () => {
    await expect(
      issueLeafCertificate({
        issuer,
        publicKeyPem: pair.publicKeyPem,
        spiffeId: 'spiffe://weft.local',
      }),
    ).rejects.toThrow(coded('MESH_ERR_INVALID_SPIFFE_ID'));
  });

  it('rejects a key that is not P-256', async () => {
    const rsa = await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    );
    const publicKeyPem = x509.PemConverter.encode(
      await crypto.subtle.exportKey('spki', rsa.publicKey),
      x509.PemConverter.PublicKeyTag,
    );
    await expect(issueLeafCertificate({ issuer, publicKeyPem, spiffeId: WEB })).rejects.toThrow(
      coded('MESH_ERR_INVALID_KEY'),
    );
  });

  it.each([0, -1, Number.NaN])('rejects lifetimeMs %d', async (lifetimeMs) => {
    await expect(
      issueLeafCertificate({ issuer, publicKeyPem: pair.publicKeyPem, spiffeId: WEB, lifetimeMs }),
    ).rejects.toThrow(coded('MESH_ERR_INVALID_ISSUE_REQUEST'));
  });
});

describe('validity', () => {
  it('defaults to 24 hours from a minute ago, to the second', async () => {
    const now = new Date('2030-01-02T03:04:05.678Z');
    const root = await createRootCa({ commonName: 'dated root', now });
    const leaf = await issueLeafCertificate({
      issuer: root,
      publicKeyPem: pair.publicKeyPem,
      spiffeId: WEB,
      now,
    });
    const start = Math.floor((now.getTime() - NOT_BEFORE_BACKDATE_MS) / 1000) * 1000;
    expect(leaf.notBefore.getTime()).toBe(start);
    expect(leaf.notAfter.getTime()).toBe(start + DEFAULT_LEAF_LIFETIME_MS);
    expect(new Date(new X509Certificate(leaf.certPem).validTo)).toEqual(leaf.notAfter);
  });

  it('issues already-expired certificates when asked', async () => {
    const notBefore = new Date(Date.now() - 2 * HOUR_MS);
    const leaf = await issueLeafCertificate({
      issuer,
      publicKeyPem: pair.publicKeyPem,
      spiffeId: WEB,
      notBefore,
      lifetimeMs: HOUR_MS,
    });
    expect(leaf.notAfter.getTime()).toBeLessThan(Date.now());
  });

  it('never lets a certificate outlive its issuer', async () => {
    const root = await createRootCa({ commonName: 'short root', lifetimeMs: HOUR_MS });
    const leaf = await issueLeafCertificate({
      issuer: root,
      publicKeyPem: pair.publicKeyPem,
      spiffeId: WEB,
    });
    expect(leaf.notAfter).toEqual(root.notAfter);
    await expect(
      issueLeafCertificate({
        issuer: root,
        publicKeyPem: pair.publicKeyPem,
        spiffeId: WEB,
        notBefore: new Date(root.notAfter.getTime() + 1_000),
      }),
    ).rejects.toThrow(coded('MESH_ERR_INVALID_ISSUE_REQUEST'));
  });
});

describe('serial', () => {
  it('is unique, positive, 128-bit and written as node:crypto reports it', async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 64; i++) {
      const leaf = await issueLeafCertificate({
        issuer,
        publicKeyPem: pair.publicKeyPem,
        spiffeId: WEB,
      });
      expect(leaf.serial).toBe(new X509Certificate(leaf.certPem).serialNumber);
      expect(leaf.serial).toMatch(/^(?:[0-9A-F]{2}){1,16}$/);
      serials.add(leaf.serial);
    }
    expect(serials.size).toBe(64);
  });
});
