import { describe, expect, it } from 'vitest';
import {
  diffResourceSets,
  mergeResources,
  removeResources,
  resourceSetHash,
} from './resource-set.ts';
import type { Resource } from './resources/index.ts';

const service = (name: string, port = 8080): Resource => ({
  apiVersion: 'weft.dev/v1alpha1',
  kind: 'Service',
  metadata: { name, namespace: 'shop' },
  spec: { protocol: 'http', ports: [{ name: 'http', port }], versions: [], upstreams: [] },
});

describe('resource sets', () => {
  it('merges an apply by name: replaces what it names, keeps the rest', () => {
    const merged = mergeResources([service('a'), service('b')], [service('b', 9090), service('c')]);
    expect(merged.map((r) => r.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(merged[1]).toEqual(service('b', 9090));
  });

  it('diffs two sets into created, updated and deleted resources', () => {
    const changes = diffResourceSets(
      [service('a'), service('b')],
      [service('b', 9090), service('c')],
    );
    expect(changes.map((c) => [c.key, c.action])).toEqual([
      ['Service/shop/a', 'deleted'],
      ['Service/shop/b', 'updated'],
      ['Service/shop/c', 'created'],
    ]);
    expect(diffResourceSets([service('a')], [service('a')])).toEqual([]);
  });

  it('hashes a set independently of its order', () => {
    expect(resourceSetHash([service('a'), service('b')])).toBe(
      resourceSetHash([service('b'), service('a')]),
    );
    expect(resourceSetHash(removeResources([service('a'), service('b')], ['Service/shop/b']))).toBe(
      resourceSetHash([service('a')]),
    );
  });
});
