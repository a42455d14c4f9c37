import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMeshConfig, type Resource } from '@weft/mesh-config';
import { describe, expect, it } from 'vitest';
import { policySummaries } from './policies.ts';

const EXAMPLE = join(import.meta.dirname, '../../../../examples/mesh.yaml');

function example(): Resource[] {
  const { resources, issues } = loadMeshConfig([
    { file: 'mesh.yaml', text: readFileSync(EXAMPLE, 'utf8') },
  ]);
  expect(issues).toEqual([]);
  return resources.map((r) => r.resource);
}

describe('policySummaries', () => {
  it('lists the example policies by kind, namespace and name, settings in milliseconds', () => {
    const all = policySummaries(example());
    expect(all.map((p) => `${p.kind}/${p.namespace}/${p.name} -> ${p.target}`)).toEqual([
      'AccessPolicy/shop/catalog-callers -> shop/catalog',
      'AccessPolicy/shop/frontend-public -> shop/frontend',
      'AccessPolicy/shop/inventory-callers -> shop/inventory',
      'AccessPolicy/shop/inventory-no-delete -> shop/inventory',
      'AccessPolicy/shop/ratings-callers -> shop/ratings',
      'AccessPolicy/shop/reviews-callers -> shop/reviews',
      'TrafficPolicy/shop/catalog -> shop/catalog',
      'TrafficPolicy/shop/inventory -> shop/inventory',
    ]);
    expect(all.find((p) => p.name === 'catalog' && p.kind === 'TrafficPolicy')).toEqual({
      kind: 'TrafficPolicy',
      namespace: 'shop',
      name: 'catalog',
      target: 'shop/catalog',
      loadBalancer: 'leastRequest',
      connectionPool: {
        maxConnections: 256,
        maxPendingRequests: 512,
        maxRequests: 1024,
        connectTimeoutMs: 500,
        idleTimeoutMs: null,
      },
      outlierDetection: {
        consecutive5xxErrors: 5,
        consecutiveGatewayErrors: null,
        intervalMs: 5_000,
        baseEjectionTimeMs: 30_000,
        maxEjectionPercent: 50,
      },
      rateLimit: null,
    });
    expect(all.find((p) => p.name === 'inventory-no-delete')).toEqual({
      kind: 'AccessPolicy',
      namespace: 'shop',
      name: 'inventory-no-delete',
      target: 'shop/inventory',
      action: 'deny',
      from: ['namespace shop'],
      paths: null,
      methods: ['DELETE'],
    });
  });

  it('filters by kind and by target service', () => {
    const resources = example();
    expect(
      policySummaries(resources, { service: 'shop/inventory' }).map((p) => [p.kind, p.name]),
    ).toEqual([
      ['AccessPolicy', 'inventory-callers'],
      ['AccessPolicy', 'inventory-no-delete'],
      ['TrafficPolicy', 'inventory'],
    ]);
    const traffic = policySummaries(resources, { kind: 'TrafficPolicy' });
    expect(traffic.map((p) => p.name)).toEqual(['catalog', 'inventory']);
    expect(traffic[1]).toMatchObject({
      loadBalancer: 'roundRobin',
      rateLimit: { requestsPerSecond: 2000, burst: 4000 },
      connectionPool: null,
    });
    expect(policySummaries(resources, { kind: 'AccessPolicy', service: 'shop/nope' })).toEqual([]);
  });
});
