// The error one side raises when the other sent what the protocol does not allow: it names the
// message and the field, so a version mismatch or a broken peer reads as such, not as a crash.

import { MeshError } from '@weft/errors';
import type { z } from 'zod';

export class ProtocolError extends MeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MESH_ERR_PROTOCOL', message, options);
  }
}

/** "workload.port: Too small: expected number to be >=1; certificate: Invalid input…" */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) =>
        `${issue.path.length === 0 ? '(the body)' : issue.path.join('.')}: ${issue.message}`,
    )
    .join('; ');
}
