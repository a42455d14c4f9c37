// The error every PKI failure throws, so callers branch on a stable code rather than a message.

import { MeshError } from '@weft/errors';

export type PkiErrorCode =
  | 'MESH_ERR_INVALID_SPIFFE_ID'
  | 'MESH_ERR_INVALID_KEY'
  | 'MESH_ERR_INVALID_CSR'
  | 'MESH_ERR_CSR_IDENTITY_MISMATCH'
  | 'MESH_ERR_INVALID_CERTIFICATE'
  | 'MESH_ERR_INVALID_ISSUE_REQUEST';

// A MeshError subclass, so the controller's one error mapping handles PKI failures too.
export class PkiError extends MeshError {
  declare readonly code: PkiErrorCode;

  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
