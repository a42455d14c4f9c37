// SPIFFE ID syntax, the mesh's ns/sa shape, and which certificates carry exactly one identity.

import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PkiError } from './errors.ts';
import { generateKeyPair, importPrivateKey, importPublicKey, SIGNING_ALGORITHM } from './keys.ts';
import { assertSpiffeId, formatSpiffeId, isSpiffeId, parseSpiffeId, spiffeIdOf } from './spiffe.ts';
import { x509 } from './x509.ts';

// Any SAN at all, which issueLeafCertificate would refuse to write.
async function certWithSan(names: x509.JsonGeneralNames): Promise<string> {
  const pair = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.create({
    publicKey: await importPublicKey(pair.publicKeyPem),
    signingKey: await importPrivateKey(pair.privateKeyPem),
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [new x509.SubjectAlternativeNameExtension(names, true)],
  });
  return cert.toString('pem');
}

describe('isSpiffeId', () => {
  it.each([
    'spiffe://weft.local/ns/default/sa/web',
    'spiffe://example-1.org_x/a',
    'spiffe://td/Upper.Case-ok_1/x',
  ])('accepts %s', (id) => {
    expect(isSpiffeId(id)).toBe(true);
  });

  it.each([
    ['no path', 'spiffe://weft.local'],
    ['root path', 'spiffe://weft.local/'],
    ['trailing slash', 'spiffe://weft.local/ns/a/'],
    ['empty segment', 'spiffe://weft.local/ns//sa/b'],
    ['dot segment', 'spiffe://weft.local/ns/./sa/b'],
    ['dot-dot segment', 'spiffe://weft.local/ns/../b'],
    ['uppercase trust domain', 'spiffe://Weft.local/a'],
    ['uppercase scheme', 'SPIFFE://weft.local/a'],
    ['port', 'spiffe://weft.local:8443/a'],
    ['userinfo', 'spiffe://user@weft.local/a'],
    ['query', 'spiffe://weft.local/a?b=c'],
    ['fragment', 'spiffe://weft.local/a#b'],
    ['percent-encoding', 'spiffe://weft.local/a%20b'],
    ['comma', 'spiffe://weft.local/a,URI:spiffe://weft.local/b'],
    ['other scheme', 'https://weft.local/a'],
    ['too long', `spiffe://weft.local/${'a'.repeat(2048)}`],
  ])('rejects %s', (_, id) => {
    expect(isSpiffeId(id)).toBe(false);
  });

  it('throws a coded error from assertSpiffeId', () => {
    expect(() => assertSpiffeId('spiffe://weft.local')).toThrow(
      expect.objectContaining({ code: 'MESH_ERR_INVALID_SPIFFE_ID' }),
    );
    expect(() => assertSpiffeId('nope')).toThrow(PkiError);
  });
});

describe('parseSpiffeId', () => {
  it('splits a mesh identity', () => {
    expect(parseSpiffeId('spiffe://weft.local/ns/payments/sa/ledger')).toEqual({
      trustDomain: 'weft.local',
      namespace: 'payments',
      service: 'ledger',
    });
  });

  it.each([
    'spiffe://weft.local/ns/payments',
    'spiffe://weft.local/ns/payments/sa/ledger/extra',
    'spiffe://weft.local/sa/ledger/ns/payments',
    'spiffe://weft.local/ns/payments/sa/../x',
    'not a uri',
  ])('gives undefined for %s', (id) => {
    expect(parseSpiffeId(id)).toBeUndefined();
  });

  it('reads back what formatSpiffeId writes', () => {
    const identity = { trustDomain: 'weft.local', namespace: 'payments', service: 'ledger' };
    expect(formatSpiffeId(identity)).toBe('spiffe://weft.local/ns/payments/sa/ledger');
    expect(parseSpiffeId(formatSpiffeId(identity))).toEqual(identity);
  });
});

describe('spiffeIdOf', () => {
  const id = 'spiffe://weft.local/ns/default/sa/web';

  it('reads the one URI SAN from PEM and from a node:crypto certificate', async () => {
    const pem = await certWithSan([
      { type: 'dns', value: 'web.default.svc' },
      { type: 'url', value: id },
    ]);
    expect(spiffeIdOf(pem)).toBe(id);
    expect(spiffeIdOf(new X509Certificate(pem))).toBe(id);
  });

  it('gives undefined without exactly one URI SAN that is a SPIFFE ID', async () => {
    const cases = await Promise.all([
      certWithSan([{ type: 'dns', value: 'web.default.svc' }]),
      certWithSan([
        { type: 'url', value: id },
        { type: 'url', value: 'spiffe://weft.local/ns/default/sa/admin' },
      ]),
      certWithSan([
        { type: 'url', value: id },
        { type: 'url', value: 'https://weft.local/' },
      ]),
      certWithSan([{ type: 'url', value: 'https://weft.local/ns/default/sa/web' }]),
    ]);
    for (const pem of cases) expect(spiffeIdOf(pem)).toBeUndefined();
  });

  it('is not fooled by a URI that reads like two entries in node’s subjectAltName text', async () => {
    const crafted = `${id}, URI:spiffe://weft.local/ns/default/sa/admin`;
    const pem = await certWithSan([{ type: 'url', value: crafted }]);
    // node quotes and escapes the value: text any parser of that string must get exactly right.
    expect(new X509Certificate(pem).subjectAltName).toMatch(/^URI:"spiffe:.*\\u002c URI:spiffe:/);
    expect(spiffeIdOf(pem)).toBeUndefined();
  });

  it('throws a coded error for what is not a certificate', () => {
    expect(() =>
      spiffeIdOf('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    ).toThrow(expect.objectContaining({ code: 'MESH_ERR_INVALID_CERTIFICATE' }));
  });
});
