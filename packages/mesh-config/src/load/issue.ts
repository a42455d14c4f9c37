// A configuration problem, pinned to the file, document, line and field it comes from.

export type PathSegment = string | number;

export interface ConfigIssue {
  readonly file?: string;
  /** 1-based index of the YAML document within its file. */
  readonly document?: number;
  readonly line?: number;
  readonly column?: number;
  /** "HTTPRoute/catalog" when the document got far enough to have a kind and a name. */
  readonly resource?: string;
  /** Field path inside the document, e.g. "spec.rules[0].backendRefs[1].weight". */
  readonly path: string;
  readonly message: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** `mesh.yaml:14:9 [doc 3] HTTPRoute/catalog spec.rules[0].weight: must be ...` */
export function formatIssue(issue: ConfigIssue): string {
  const where: string[] = [];
  if (issue.file !== undefined) {
    let location = issue.file;
    if (issue.line !== undefined) location += `:${issue.line}:${issue.column ?? 1}`;
    where.push(location);
  }
  if (issue.document !== undefined) where.push(`[doc ${issue.document}]`);
  if (issue.resource !== undefined) where.push(issue.resource);
  const subject = issue.path === '' ? '' : `${issue.path}: `;
  where.push(`${subject}${issue.message}`);
  return where.join(' ');
}

/** Stable order for reports: by file, then line, then column. */
export function compareIssues(a: ConfigIssue, b: ConfigIssue): number {
  return (
    (a.file ?? '').localeCompare(b.file ?? '') ||
    (a.document ?? 0) - (b.document ?? 0) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0)
  );
}
