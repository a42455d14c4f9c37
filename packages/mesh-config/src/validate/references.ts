// Every service and version a resource names must exist.

import type { PathSegment } from '../load/issue.ts';
import type { LoadedResource } from '../load/load.ts';
import { type ResourceIndex, refKey, type SemanticProblem, serviceKey } from './resource-index.ts';

export function checkReferences(index: ResourceIndex): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const requireService = (at: LoadedResource, path: PathSegment[], key: string) => {
    if (index.services.has(key)) return true;
    problems.push({ at, path, message: `refers to Service "${key}", which is not defined` });
    return false;
  };
  const requireVersion = (
    at: LoadedResource,
    path: PathSegment[],
    key: string,
    version: string,
  ) => {
    if (index.hasVersion(key, version)) return;
    const known = index.services.get(key)?.resource.spec.versions.map((v) => v.name) ?? [];
    const choices = known.length > 0 ? `; it has ${known.join(', ')}` : '; it declares no versions';
    problems.push({ at, path, message: `Service "${key}" has no version "${version}"${choices}` });
  };

  for (const { resource, loaded } of index.of('Service')) {
    const ns = resource.metadata.namespace;
    resource.spec.upstreams.forEach((upstream, i) => {
      requireService(
        loaded,
        ['spec', 'upstreams', i, 'service', 'name'],
        refKey(upstream.service, ns),
      );
    });
  }

  for (const { resource, loaded } of index.of('HTTPRoute')) {
    const ns = resource.metadata.namespace;
    resource.spec.parentRefs.forEach((ref, i) => {
      requireService(loaded, ['spec', 'parentRefs', i, 'name'], refKey(ref, ns));
    });
    resource.spec.rules.forEach((rule, r) => {
      rule.backendRefs.forEach((backend, b) => {
        const path = ['spec', 'rules', r, 'backendRefs', b];
        const key = refKey(backend, ns);
        if (requireService(loaded, [...path, 'name'], key) && backend.version !== undefined) {
          requireVersion(loaded, [...path, 'version'], key, backend.version);
        }
      });
      rule.filters?.forEach((filter, f) => {
        if (filter.type !== 'RequestMirror') return;
        const mirror = filter.requestMirror.backendRef;
        const path = ['spec', 'rules', r, 'filters', f, 'requestMirror', 'backendRef'];
        const key = refKey(mirror, ns);
        if (requireService(loaded, [...path, 'name'], key) && mirror.version !== undefined) {
          requireVersion(loaded, [...path, 'version'], key, mirror.version);
        }
      });
    });
  }

  for (const kind of ['TrafficPolicy', 'AccessPolicy'] as const) {
    for (const { resource, loaded } of index.of(kind)) {
      requireService(
        loaded,
        ['spec', 'targetRef', 'name'],
        refKey(resource.spec.targetRef, resource.metadata.namespace),
      );
    }
  }

  for (const { resource, loaded } of index.of('AccessPolicy')) {
    resource.spec.from.forEach((source, i) => {
      if ('service' in source) {
        const key = serviceKey(source.namespace ?? resource.metadata.namespace, source.service);
        requireService(loaded, ['spec', 'from', i, 'service'], key);
      }
    });
  }

  for (const { resource, loaded } of index.of('Rollout')) {
    const key = serviceKey(resource.metadata.namespace, resource.spec.service);
    if (!requireService(loaded, ['spec', 'service'], key)) continue;
    requireVersion(loaded, ['spec', 'stableVersion'], key, resource.spec.stableVersion);
    requireVersion(loaded, ['spec', 'canaryVersion'], key, resource.spec.canaryVersion);
  }
  return problems;
}
