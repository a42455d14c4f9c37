// A destination has at most one TrafficPolicy: two would leave its limits to chance.

import { formatPlace } from './place.ts';
import { type ResourceIndex, refKey, type SemanticProblem } from './resource-index.ts';

export function checkOnePolicyPerTarget(index: ResourceIndex): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const owners = new Map<string, (typeof index.all)[number]>();
  for (const { resource, loaded } of index.of('TrafficPolicy')) {
    const target = refKey(resource.spec.targetRef, resource.metadata.namespace);
    const owner = owners.get(target);
    if (owner === undefined) owners.set(target, loaded);
    else
      problems.push({
        at: loaded,
        path: ['spec', 'targetRef'],
        message: `"${target}" already has a TrafficPolicy: ${formatPlace(owner)}`,
      });
  }
  return problems;
}
