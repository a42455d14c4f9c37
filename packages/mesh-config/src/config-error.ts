// The error a broken configuration raises: every issue, each with its place, in one throw.

import { MeshError } from '@weft/errors';
import { type ConfigIssue, formatIssue } from './load/issue.ts';

export class MeshConfigError extends MeshError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const summary = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      'MESH_ERR_INVALID_CONFIG',
      `invalid mesh configuration (${summary}):\n${issues.map(formatIssue).join('\n')}`,
    );
    this.issues = issues;
  }
}
