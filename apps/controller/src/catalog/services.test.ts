import type { Resource } from '@weft/mesh-config';
import { describe, expect, it } from 'vitest';
import type { ProxyRecord } from '../repositories/proxies.ts';
import { serviceDetail, serviceSummaries } from './services.ts';

const NOW = Date.UTC(2026, 10, 23, 12);
const meta = (name: string, namespace = 'shop') => ({ name, namespace });

const resources: Resource[] = [
  {
    apiVersion: 'weft.dev/v1alpha1',
    kind: 'Service',
    metadata: meta('catalog'),
    spec: {
      protocol: 'http',
      ports: [{ name: 'http', port: 8080 }],
      versions: [{ name: 'v1' }, { name: 'v2' }],
      upstreams: [{ service: { name: 'inventory', namespace: 'stock' } }],
      objectives: { successRate: 0.99 },
    },
  },
  {
    apiVersion: 'weft.dev/v1alpha1',
    kind: 'Service',
    metadata: meta('inventory', 'stock'),
    spec: { protocol: 'http', ports: [{ name: 'http', port: 80 }], versions: [], upstreams: [] },
  },
  {
    apiVersion: 'weft.dev/v1alpha1',
    kind: 'HTTPRoute',
    metadata: meta('catalog'),
    spec: {
      parentRefs: [{ name: 'catalog' }],
      rules: [{ backendRefs: [{ name: 'catalog', version: 'v1', weight: 1 }] }],
    },
  },
  {
    apiVersion: 'weft.dev/v1alpha1',
    kind: 'HTTPRoute',
    metadata: meta('catalog-from-ops', 'ops'),
    spec: {
      parentRefs: [{ name: 'catalog', namespace: 'shop' }],
      rules: [{ backendRefs: [{ name: 'catalog', namespace: 'shop', weight: 1 }] }],
    },
  },
];

const proxy = (id: string, version: string | undefined, heardMsAgo: number): ProxyRecord => ({
  id,
  service: 'catalog',
  namespace: 'shop',
  version,
  labels: {},
  address: '127.0.0.1',
  port: 15_443,
  lastHeartbeatAt: new Date(NOW - heardMsAgo),
  syncState: 'SYNCED',
  sentVersion: 'r1.1',
  sentRevision: 1,
  ackedVersion: 'r1.1',
  ackedAt: new Date(NOW - heardMsAgo),
  nackError: null,
  certificateSerial: `S-${id}`,
});

const proxies = [
  proxy('catalog-v1-a', 'v1', 1_000),
  proxy('catalog-v1-b', 'v1', 2_000),
  proxy('catalog-v2-a', 'v2', 3_000),
  proxy('catalog-old', 'v1', 600_000),
  proxy('catalog-plain', undefined, 0),
];
const liveSince = new Date(NOW - 30_000);

describe('service catalog', () => {
  it('lists every Service with upstreams, routes, objectives and live instances per version', () => {
    expect(serviceSummaries(resources, proxies, liveSince)).toEqual([
      {
        id: 'shop/catalog',
        namespace: 'shop',
        name: 'catalog',
        ports: [8080],
        versions: ['v1', 'v2'],
        upstreams: ['stock/inventory'],
        routes: ['catalog', 'ops/catalog-from-ops'],
        routeRefs: [
          { namespace: 'shop', name: 'catalog' },
          { namespace: 'ops', name: 'catalog-from-ops' },
        ],
        objectives: { minSuccessRate: 0.99, maxP99Ms: null },
        instances: 4,
        instancesByVersion: { v1: 2, v2: 1, '': 1 },
      },
      expect.objectContaining({ id: 'stock/inventory', instances: 0, instancesByVersion: {} }),
    ]);
  });

  it('details one service with its routes and every registered proxy, live or not', () => {
    const detail = serviceDetail(resources, proxies, liveSince, 'shop/catalog');
    expect(detail?.routeResources.map((r) => r.metadata.name)).toEqual([
      'catalog',
      'catalog-from-ops',
    ]);
    expect(detail?.proxies.map((p) => [p.id, p.live])).toEqual([
      ['catalog-v1-a', true],
      ['catalog-v1-b', true],
      ['catalog-v2-a', true],
      ['catalog-old', false],
      ['catalog-plain', true],
    ]);
    expect(detail?.proxies[0]?.lastHeartbeatAt).toBe(NOW - 1_000);
    expect(serviceDetail(resources, proxies, liveSince, 'shop/nothing')).toBeUndefined();
  });
});
