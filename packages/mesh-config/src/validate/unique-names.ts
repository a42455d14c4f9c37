// Each resource is named once per kind and namespace; the Mesh exists at most once.

import { formatPlace } from './place.ts';
import type { ResourceIndex, SemanticProblem } from './resource-index.ts';

export function checkUniqueNames(index: ResourceIndex): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const firstSeen = new Map<string, (typeof index.all)[number]>();
  let mesh: (typeof index.all)[number] | undefined;
  for (const loaded of index.all) {
    const { kind, metadata } = loaded.resource;
    if (kind === 'Mesh') {
      if (mesh === undefined) mesh = loaded;
      else
        problems.push({
          at: loaded,
          path: ['kind'],
          message: `a mesh has one Mesh resource; another is defined at ${formatPlace(mesh)}`,
        });
      continue;
    }
    const key = `${kind}/${metadata.namespace}/${metadata.name}`;
    const first = firstSeen.get(key);
    if (first === undefined) firstSeen.set(key, loaded);
    else
      problems.push({
        at: loaded,
        path: ['metadata', 'name'],
        message: `${kind} "${metadata.name}" is already defined in namespace "${metadata.namespace}" at ${formatPlace(first)}`,
      });
  }
  return problems;
}
