// Bootstrap and renewal: a CSR goes up (with a join token and the workload, the first time), a
// certificate for the caller's identity and the mesh's trust bundle come back.

import { z } from 'zod';
import { storedText } from './stored-text.ts';

/** A PEM CSR: well under 1 KB for a P-256 key; the bound keeps a body from being anything else. */
const csr = z.string().min(1).max(16_384);

/** The workload a proxy serves, as the registry keeps it: every string stored as sent. */
export const bootstrapWorkload = z.strictObject({
  id: storedText().min(1).max(253),
  version: storedText().min(1).max(63).optional(),
  labels: z.record(storedText(), storedText()).optional(),
  address: storedText().min(1).max(253),
  port: z.number().int().min(1).max(65_535),
});

export const bootstrapRequest = z.strictObject({
  token: z.string().min(1).max(512),
  csr,
  workload: bootstrapWorkload,
});

export const renewRequest = z.strictObject({ csr });

/** What renewal answers, and bootstrap too. Unknown fields are dropped: a newer controller may add some. */
export const issuedCertificate = z.object({
  /** The leaf and its intermediate, PEM. */
  certificate: z.string().min(1),
  /** The roots to trust, PEM. */
  trustBundle: z.string().min(1),
  notAfter: z.iso.datetime(),
});

export const bootstrapAnswer = issuedCertificate.extend({
  proxyId: z.string().min(1),
  /** The SPIFFE ID the certificate carries: the join token's service. */
  identity: z.string().min(1),
});

export type BootstrapRequest = z.infer<typeof bootstrapRequest>;
export type BootstrapAnswer = z.infer<typeof bootstrapAnswer>;
export type RenewRequest = z.infer<typeof renewRequest>;
export type RenewAnswer = z.infer<typeof issuedCertificate>;
