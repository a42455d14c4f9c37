'use client';
// The controller's verdict on edited YAML: every problem with its line, column and field.

interface MeshIssue {
  readonly line?: number;
  readonly column?: number;
  readonly resource?: string;
  readonly path: string;
  readonly message: string;
}

/** Configuration problems carried by a tRPC error (data.meshIssues), if it has any. */
export function meshIssuesOf(error: unknown): readonly MeshIssue[] {
  const data = (error as { data?: { meshIssues?: MeshIssue[] | null } } | null)?.data;
  return data?.meshIssues ?? [];
}

export function ConfigIssues({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const issues = meshIssuesOf(error);
  if (issues.length === 0)
    return (
      <div className="form-error" role="alert">
        {error instanceof Error ? error.message : String(error)}
      </div>
    );
  return (
    <ul className="form-error" role="alert" data-testid="config-issues">
      {issues.map((issue) => (
        <li key={`${issue.line}:${issue.column}:${issue.path}:${issue.message}`}>
          {issue.line === undefined ? '' : `line ${issue.line}:${issue.column ?? 1} `}
          {issue.resource === undefined ? '' : `${issue.resource} `}
          {issue.path === '' ? '' : `${issue.path}: `}
          {issue.message}
        </li>
      ))}
    </ul>
  );
}
