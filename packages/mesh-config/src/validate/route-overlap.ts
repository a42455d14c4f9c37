// No two rules may own the same match for the same destination: which one wins would be an accident.

import { formatPath, type PathSegment } from '../load/issue.ts';
import type { LoadedResource } from '../load/load.ts';
import type { RouteMatch } from '../resources/index.ts';
import { formatPlace } from './place.ts';
import { type ResourceIndex, refKey, type SemanticProblem } from './resource-index.ts';

interface Owner {
  readonly loaded: LoadedResource;
  readonly path: PathSegment[];
}

/** Two matches are the same when they accept exactly the same requests, whatever their key order. */
export function canonicalMatch(match: RouteMatch | undefined): string {
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return JSON.stringify([
    match?.path?.type ?? 'PathPrefix',
    match?.path?.value ?? '/',
    match?.method ?? '*',
    [...(match?.headers ?? [])].sort(byName).map((h) => [h.name.toLowerCase(), h.type, h.value]),
    [...(match?.queryParams ?? [])].sort(byName).map((q) => [q.name, q.type, q.value]),
  ]);
}

export function checkRouteOverlap(index: ResourceIndex): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const owners = new Map<string, Owner>();
  for (const { resource, loaded } of index.of('HTTPRoute')) {
    const ns = resource.metadata.namespace;
    resource.spec.rules.forEach((rule, r) => {
      const matches: (RouteMatch | undefined)[] = rule.matches?.length ? rule.matches : [undefined];
      matches.forEach((match, m) => {
        const path = rule.matches?.length
          ? ['spec', 'rules', r, 'matches', m]
          : ['spec', 'rules', r];
        for (const parent of resource.spec.parentRefs) {
          const key = `${refKey(parent, ns)} ${canonicalMatch(match)}`;
          const owner = owners.get(key);
          if (owner === undefined) {
            owners.set(key, { loaded, path });
          } else {
            problems.push({
              at: loaded,
              path,
              message: `this match is already routed for "${refKey(parent, ns)}" by ${formatPlace(owner.loaded, owner.path)} at ${formatPath(owner.path)}`,
            });
          }
        }
      });
    });
  }
  return problems;
}
