// A Rollout needs two distinct versions, a route that sends to its service, and no rival Rollout.

import { formatPlace } from './place.ts';
import { type ResourceIndex, refKey, type SemanticProblem, serviceKey } from './resource-index.ts';

export function checkRollouts(index: ResourceIndex): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const byService = new Map<string, (typeof index.all)[number]>();
  const routes = index.of('HTTPRoute');
  for (const { resource, loaded } of index.of('Rollout')) {
    const ns = resource.metadata.namespace;
    const service = serviceKey(ns, resource.spec.service);
    if (resource.spec.stableVersion === resource.spec.canaryVersion) {
      problems.push({
        at: loaded,
        path: ['spec', 'canaryVersion'],
        message: `must differ from the stable version "${resource.spec.stableVersion}"`,
      });
    }
    const rival = byService.get(service);
    if (rival === undefined) byService.set(service, loaded);
    else
      problems.push({
        at: loaded,
        path: ['spec', 'service'],
        message: `"${service}" already has a Rollout: ${formatPlace(rival)}`,
      });
    const routeName = resource.spec.route;
    if (routeName === undefined) continue;
    const route = routes.find(
      (r) => r.resource.metadata.name === routeName && r.resource.metadata.namespace === ns,
    );
    if (route === undefined) {
      problems.push({
        at: loaded,
        path: ['spec', 'route'],
        message: `refers to HTTPRoute "${ns}/${routeName}", which is not defined`,
      });
    } else if (!route.resource.spec.parentRefs.some((p) => refKey(p, ns) === service)) {
      problems.push({
        at: loaded,
        path: ['spec', 'route'],
        message: `HTTPRoute "${routeName}" does not route service "${service}"`,
      });
    }
  }
  return problems;
}
