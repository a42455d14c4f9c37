// The compiler: golden snapshots of the example mesh, stable hashes, precedence, and refusal of broken input.

import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import {
  compileSnapshots,
  loadMeshConfig,
  MeshConfigError,
  proxySnapshot,
  type Resource,
  type WorkloadEndpoint,
} from '../src/index.ts';
import { EXAMPLE_WORKLOADS, exampleSource } from './example-mesh.ts';

function exampleResources(): Resource[] {
  return loadMeshConfig([exampleSource()]).resources.map((r) => r.resource);
}

function compileExample(resources = exampleResources(), workloads = EXAMPLE_WORKLOADS) {
  return compileSnapshots({ resources, workloads, version: 'r1' });
}

/** The same documents with every mapping's keys written in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    );
  }
  return value;
}

describe('compileSnapshots', () => {
  it.each(EXAMPLE_WORKLOADS.map((w) => w.id))('matches the golden snapshot for %s', async (id) => {
    const snapshot = compileExample().get(id);
    await expect(JSON.stringify(snapshot, null, 2)).toMatchFileSnapshot(`golden/${id}.json`);
  });

  it('produces snapshots that satisfy the published contract and cannot be mutated', () => {
    for (const snapshot of compileExample().values()) {
      expect(proxySnapshot.safeParse(snapshot).success).toBe(true);
      expect(Object.isFrozen(snapshot)).toBe(true);
      for (const upstream of snapshot.upstreams)
        expect(Object.isFrozen(upstream.routes[0]?.backends)).toBe(true);
    }
  });

  it('gives the same hash whatever order keys and documents were written in', () => {
    const reversed = parseDocument(stringify(reverseKeys(exampleResources()))).toJS() as Resource[];
    const a = compileExample();
    const b = compileExample([...reversed].reverse(), [...EXAMPLE_WORKLOADS].reverse());
    for (const [id, snapshot] of a) expect(b.get(id)?.hash).toBe(snapshot.hash);
  });

  it('changes only the hashes of proxies that route to a changed service', () => {
    const resources = exampleResources();
    const before = compileExample(resources);
    const changed = resources.map((r) =>
      r.kind === 'HTTPRoute' && r.metadata.name === 'reviews'
        ? {
            ...r,
            spec: {
              ...r.spec,
              rules: r.spec.rules.map((rule) => ({ ...rule, timeouts: { request: '2s' } })),
            },
          }
        : r,
    );
    const after = compileExample(changed);
    const differs = [...before.keys()].filter((id) => before.get(id)?.hash !== after.get(id)?.hash);
    expect(differs).toEqual(['frontend-1']);
  });

  it('orders route entries by Gateway API precedence and splits by weight', () => {
    const catalog = compileExample()
      .get('frontend-1')
      ?.upstreams.find((u) => u.service === 'shop/catalog');
    expect(catalog?.routes.map((r) => r.source)).toEqual([
      'HTTPRoute/shop/catalog rules[0]',
      'HTTPRoute/shop/catalog rules[1]',
    ]);
    expect(catalog?.routes[1]?.backends).toEqual([
      { cluster: 'catalog.shop.v1', weight: 90 },
      { cluster: 'catalog.shop.v2', weight: 10 },
    ]);
    expect(catalog?.localPort).toBe(9001);
  });

  it("puts only a version's own workloads behind its cluster, with the identity to expect", () => {
    const clusters = compileExample().get('frontend-1')?.clusters ?? [];
    const v1 = clusters.find((c) => c.name === 'catalog.shop.v1');
    expect(v1?.endpoints.map((e) => e.workload)).toEqual(['catalog-v1-a', 'catalog-v1-b']);
    expect(v1?.identity).toBe('spiffe://weft.local/ns/shop/sa/catalog');
    expect(
      clusters.find((c) => c.name === 'catalog.shop.v2')?.endpoints.map((e) => e.workload),
    ).toEqual(['catalog-v2-a']);
  });

  it('routes a service without HTTPRoute to all its instances with mesh defaults', () => {
    const inventory = compileExample().get('catalog-v1-a')?.upstreams[0];
    expect(inventory?.service).toBe('shop/inventory');
    expect(inventory?.routes).toHaveLength(1);
    expect(inventory?.routes[0]?.backends).toEqual([{ cluster: 'inventory.shop', weight: 1 }]);
    expect(inventory?.routes[0]?.timeoutMs).toBe(10_000);
  });

  it('refuses resources with a dangling backend, naming the field', () => {
    const broken = exampleResources().map((r) =>
      r.kind === 'HTTPRoute' && r.metadata.name === 'catalog'
        ? {
            ...r,
            spec: { ...r.spec, rules: [{ backendRefs: [{ name: 'catalogue', weight: 1 }] }] },
          }
        : r,
    );
    expect(() => compileExample(broken)).toThrowError(MeshConfigError);
    expect(() => compileExample(broken)).toThrowError(
      'HTTPRoute/catalog spec.rules[0].backendRefs[0].name: refers to Service "shop/catalogue", which is not defined',
    );
  });

  it('refuses a workload whose service is not defined', () => {
    const stray: WorkloadEndpoint = {
      id: 'cart-1',
      service: 'cart',
      namespace: 'shop',
      address: '10.0.0.9',
      port: 1,
    };
    expect(() => compileExample(exampleResources(), [...EXAMPLE_WORKLOADS, stray])).toThrowError(
      'workload/cart-1 belongs to Service "shop/cart", which is not defined',
    );
  });
});
