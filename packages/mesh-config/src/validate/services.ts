// Inside one Service: version names, port numbers and local upstream ports are each used once.

import type { PathSegment } from '../load/issue.ts';
import type { LoadedResource } from '../load/load.ts';
import type { ResourceIndex, SemanticProblem } from './resource-index.ts';

export function checkServices(index: ResourceIndex): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  for (const { resource, loaded } of index.of('Service')) {
    const { spec } = resource;
    problems.push(
      ...duplicates(
        loaded,
        spec.versions.map((v, i) => [v.name, ['spec', 'versions', i, 'name']]),
        'version',
      ),
      ...duplicates(
        loaded,
        spec.ports.map((p, i) => [String(p.port), ['spec', 'ports', i, 'port']]),
        'port',
      ),
      ...duplicates(
        loaded,
        spec.ports.map((p, i) => [p.name, ['spec', 'ports', i, 'name']]),
        'port name',
      ),
      ...duplicates(
        loaded,
        spec.upstreams.flatMap((u, i) =>
          u.localPort === undefined
            ? []
            : [[String(u.localPort), ['spec', 'upstreams', i, 'localPort']] as const],
        ),
        'local port',
      ),
      ...duplicates(
        loaded,
        spec.upstreams.map((u, i) => [
          `${u.service.namespace ?? ''}/${u.service.name}`,
          ['spec', 'upstreams', i, 'service'],
        ]),
        'upstream',
      ),
    );
  }
  return problems;
}

function duplicates(
  at: LoadedResource,
  entries: readonly (readonly [string, PathSegment[]])[],
  what: string,
): SemanticProblem[] {
  const seen = new Set<string>();
  const problems: SemanticProblem[] = [];
  for (const [value, path] of entries) {
    if (seen.has(value)) problems.push({ at, path, message: `${what} "${value}" is listed twice` });
    seen.add(value);
  }
  return problems;
}
