// Identities remembered per certificate, never per caller: two certificates read in turn, again
// and again, each keep their own SPIFFE ID.

import { X509Certificate } from 'node:crypto';
import { createTestPki } from '@weft/pki';
import { describe, expect, it } from 'vitest';
import { PeerIdentities } from './peer-identities.ts';

describe('PeerIdentities', () => {
  it('answers each certificate with its own SPIFFE ID, asked once or many times', async () => {
    const pki = await createTestPki();
    const catalog = await pki.identity('shop', 'catalog');
    const frontend = await pki.identity('shop', 'frontend');
    const identities = new PeerIdentities();
    for (let round = 0; round < 3; round++) {
      expect(identities.of(new X509Certificate(catalog.certPem))).toBe(catalog.spiffeId);
      expect(identities.of(new X509Certificate(frontend.certPem))).toBe(frontend.spiffeId);
    }
    expect(identities.of(undefined)).toBeUndefined();
  });

  it('remembers a certificate without a SPIFFE ID as having none', async () => {
    const pki = await createTestPki();
    const identities = new PeerIdentities();
    const root = new X509Certificate(pki.root.certPem);
    expect(identities.of(root)).toBeUndefined();
    expect(identities.of(root)).toBeUndefined();
  });
});
