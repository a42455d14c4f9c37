// Resource sets as the controller stores them: canonical order, merge of an apply, and diff between two.

import { contentHash } from './compile/hash.ts';
import { type Resource, resourceKey } from './resources/index.ts';

export type ResourceChangeAction = 'created' | 'updated' | 'deleted';

export interface ResourceChange {
  /** "HTTPRoute/shop/catalog" */
  readonly key: string;
  readonly action: ResourceChangeAction;
  readonly before?: Resource;
  readonly after?: Resource;
}

/** Sorted by key, so equal sets serialize and hash the same. */
export function canonicalSet(resources: readonly Resource[]): Resource[] {
  return [...resources].sort((a, b) => resourceKey(a).localeCompare(resourceKey(b)));
}

export function resourceSetHash(resources: readonly Resource[]): string {
  return contentHash(canonicalSet(resources));
}

/** What `apply` does, as kubectl apply does: create or replace each named resource, keep the rest. */
export function mergeResources(
  current: readonly Resource[],
  applied: readonly Resource[],
): Resource[] {
  const byKey = new Map(current.map((r) => [resourceKey(r), r]));
  for (const resource of applied) byKey.set(resourceKey(resource), resource);
  return canonicalSet([...byKey.values()]);
}

export function removeResources(current: readonly Resource[], keys: readonly string[]): Resource[] {
  const doomed = new Set(keys);
  return canonicalSet(current.filter((r) => !doomed.has(resourceKey(r))));
}

export function diffResourceSets(
  before: readonly Resource[],
  after: readonly Resource[],
): ResourceChange[] {
  const old = new Map(before.map((r) => [resourceKey(r), r]));
  const next = new Map(after.map((r) => [resourceKey(r), r]));
  const changes: ResourceChange[] = [];
  for (const key of [...new Set([...old.keys(), ...next.keys()])].sort()) {
    const a = old.get(key);
    const b = next.get(key);
    if (a === undefined && b !== undefined) changes.push({ key, action: 'created', after: b });
    else if (a !== undefined && b === undefined)
      changes.push({ key, action: 'deleted', before: a });
    else if (a !== undefined && b !== undefined && contentHash(a) !== contentHash(b)) {
      changes.push({ key, action: 'updated', before: a, after: b });
    }
  }
  return changes;
}
