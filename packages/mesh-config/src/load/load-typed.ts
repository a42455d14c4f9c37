// Reads one YAML (or JSON) document against any zod schema, with the same line-precise issues
// as mesh resources: for the proxy's own config file and for snapshot files.

import type { z } from 'zod';
import { describeZodIssue } from './describe-zod-issue.ts';
import { type ConfigIssue, formatPath } from './issue.ts';
import { parseYamlSource } from './yaml-source.ts';

export type TypedLoadResult<T> = { ok: true; value: T } | { ok: false; issues: ConfigIssue[] };

export function loadTypedDocument<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
): TypedLoadResult<z.infer<S>> {
  const parsed = parseYamlSource(text);
  const issues: ConfigIssue[] = parsed.problems.map((p) => ({
    file,
    document: p.document,
    ...p.position,
    path: '',
    message: `YAML: ${p.message}`,
  }));
  if (issues.length > 0) return { ok: false, issues };
  const [document, ...extra] = parsed.documents;
  if (document === undefined)
    return { ok: false, issues: [{ file, path: '', message: 'the file holds no document' }] };
  if (extra.length > 0) {
    return {
      ok: false,
      issues: [{ file, document: 2, path: '', message: 'the file must hold exactly one document' }],
    };
  }
  const result = schema.safeParse(document.value, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.flatMap(describeZodIssue).map((problem) => ({
      file,
      document: 1,
      ...document.position(problem.path, { key: problem.atKey }),
      path: formatPath(problem.path),
      message: problem.message,
    })),
  };
}
