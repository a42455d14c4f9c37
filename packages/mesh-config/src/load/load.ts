// Reads YAML files into typed resources, or into issues naming file, document, line, column and field.

import {
  isResourceKind,
  RESOURCE_KINDS,
  RESOURCE_SCHEMAS,
  type Resource,
} from '../resources/index.ts';
import { describeZodIssue } from './describe-zod-issue.ts';
import { type ConfigIssue, formatPath, type PathSegment } from './issue.ts';
import { type ParsedDocument, parseYamlSource, type SourcePosition } from './yaml-source.ts';

export interface SourceFile {
  /** How the file is named in errors: the path the operator gave. */
  readonly file: string;
  readonly text: string;
}

/** Where a resource came from, so later checks can point at its lines too. */
export interface ResourceOrigin {
  readonly file: string;
  readonly document: number;
  position(path: readonly PathSegment[], options?: { key?: boolean }): SourcePosition;
}

export interface LoadedResource {
  readonly resource: Resource;
  readonly origin?: ResourceOrigin;
}

export interface LoadOutcome {
  readonly resources: LoadedResource[];
  readonly issues: ConfigIssue[];
}

export function loadSources(sources: readonly SourceFile[]): LoadOutcome {
  const resources: LoadedResource[] = [];
  const issues: ConfigIssue[] = [];
  for (const { file, text } of sources) {
    const parsed = parseYamlSource(text);
    for (const problem of parsed.problems) {
      issues.push({
        file,
        document: problem.document,
        ...problem.position,
        path: '',
        message: `YAML: ${problem.message}`,
      });
    }
    for (const document of parsed.documents) {
      const outcome = loadDocument(file, document);
      if ('resource' in outcome) resources.push(outcome);
      else issues.push(...outcome.issues);
    }
  }
  return { resources, issues };
}

function loadDocument(
  file: string,
  document: ParsedDocument,
): LoadedResource | { issues: ConfigIssue[] } {
  const origin: ResourceOrigin = { file, document: document.index, position: document.position };
  const at = (
    path: PathSegment[],
    message: string,
    atKey = false,
    resource?: string,
  ): ConfigIssue => ({
    file,
    document: document.index,
    ...document.position(path, { key: atKey }),
    ...(resource === undefined ? {} : { resource }),
    path: formatPath(path),
    message,
  });

  const value = document.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      issues: [at([], 'a document must be a mapping with apiVersion, kind, metadata and spec')],
    };
  }
  const kind = (value as { kind?: unknown }).kind;
  if (!isResourceKind(kind)) {
    const got = kind === undefined ? 'is required' : `got ${JSON.stringify(kind)}`;
    return { issues: [at(['kind'], `must be one of ${RESOURCE_KINDS.join(', ')}; ${got}`)] };
  }
  const label = describeResource(kind, value);
  const result = RESOURCE_SCHEMAS[kind].safeParse(value, { reportInput: true });
  if (!result.success) {
    const issues = result.error.issues
      .flatMap(describeZodIssue)
      .map((p) => at(p.path, p.message, p.atKey, label));
    return { issues };
  }
  return { resource: result.data, origin };
}

function describeResource(kind: string, value: object): string {
  const name = (value as { metadata?: { name?: unknown } }).metadata?.name;
  return typeof name === 'string' ? `${kind}/${name}` : kind;
}
