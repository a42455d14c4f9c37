// @weft/pki: ECDSA P-256 keys, CAs, CSRs and SPIFFE workload certificates for the mesh's mTLS.

export {
  type CertificateAuthority,
  type CreateIntermediateCaOptions,
  type CreateRootCaOptions,
  createIntermediateCa,
  createRootCa,
} from './ca.ts';
export { type CaFiles, loadOrCreateCaFiles } from './ca-files.ts';
export { type CreateCsrOptions, createCsr } from './csr.ts';
export * from './defaults.ts';
export { PkiError, type PkiErrorCode } from './errors.ts';
export { generateKeyPair, type KeyPairPem } from './keys.ts';
export {
  checkCsr,
  type IssuedCertificate,
  type IssueLeafOptions,
  issueLeafCertificate,
} from './leaf.ts';
export {
  formatSpiffeId,
  isSpiffeId,
  type MeshIdentity,
  parseSpiffeId,
  spiffeIdOf,
} from './spiffe.ts';
export {
  createTestPki,
  type TestIdentity,
  type TestIdentityOptions,
  type TestPki,
  type TestPkiOptions,
} from './test-pki.ts';
