// Lookup tables over one set of resources, shared by the cross-document checks and the compiler.

import type { PathSegment } from '../load/issue.ts';
import type { LoadedResource } from '../load/load.ts';
import type { ResourceKind, ResourceOf, ServiceRef } from '../resources/index.ts';

/** "shop/catalog": a service's key across the whole mesh. */
export function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function refKey(ref: ServiceRef, defaultNamespace: string): string {
  return serviceKey(ref.namespace ?? defaultNamespace, ref.name);
}

export interface Located<K extends ResourceKind> {
  readonly resource: ResourceOf<K>;
  readonly loaded: LoadedResource;
}

export interface SemanticProblem {
  readonly at: LoadedResource;
  readonly path: PathSegment[];
  readonly message: string;
}

export class ResourceIndex {
  readonly services = new Map<string, Located<'Service'>>();
  private readonly byKind = new Map<ResourceKind, LoadedResource[]>();

  constructor(readonly all: readonly LoadedResource[]) {
    for (const loaded of all) {
      const list = this.byKind.get(loaded.resource.kind) ?? [];
      list.push(loaded);
      this.byKind.set(loaded.resource.kind, list);
      if (loaded.resource.kind === 'Service') {
        const { name, namespace } = loaded.resource.metadata;
        const key = serviceKey(namespace, name);
        if (!this.services.has(key)) this.services.set(key, { resource: loaded.resource, loaded });
      }
    }
  }

  of<K extends ResourceKind>(kind: K): Located<K>[] {
    return (this.byKind.get(kind) ?? []).map((loaded) => ({
      resource: loaded.resource as ResourceOf<K>,
      loaded,
    }));
  }

  hasVersion(serviceKeyText: string, version: string): boolean {
    return (
      this.services.get(serviceKeyText)?.resource.spec.versions.some((v) => v.name === version) ??
      false
    );
  }
}
