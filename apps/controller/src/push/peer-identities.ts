// The SPIFFE ID each proxy certificate carries, read once per certificate. Reading it means
// parsing the DER with @peculiar/x509 (a quarter of the controller's CPU while a proxy came back,
// in a profile of the restart test), and every heartbeat, ACK and telemetry upload asked again.
// Keyed by the certificate's SHA-256 fingerprint, which OpenSSL computes: a connection that
// renegotiates with another certificate is read afresh.

import type { X509Certificate } from 'node:crypto';
import { spiffeIdOf } from '@weft/pki';

/** Certificates remembered at most: a fleet's worth; past it the map starts over. */
const MAX_REMEMBERED = 20_000;

export class PeerIdentities {
  private readonly byFingerprint = new Map<string, string | undefined>();

  /** The certificate's one SPIFFE ID, or undefined (none, several, or no certificate). */
  of(certificate: X509Certificate | undefined): string | undefined {
    if (certificate === undefined) return undefined;
    const key = certificate.fingerprint256;
    if (this.byFingerprint.has(key)) return this.byFingerprint.get(key);
    const identity = spiffeIdOf(certificate);
    if (this.byFingerprint.size >= MAX_REMEMBERED) this.byFingerprint.clear();
    this.byFingerprint.set(key, identity);
    return identity;
  }
}
