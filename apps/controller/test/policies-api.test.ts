// The policies router on a real controller: viewers read the TrafficPolicies and AccessPolicies
// in force (list with filters, get with the document); changes go through config.applyYaml.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../src/cli/api-client.ts';
import { startTestController, type TestController } from './api-harness.ts';

const EXAMPLE = join(import.meta.dirname, '../../../examples/mesh.yaml');

const statusOf = (error: unknown) =>
  error instanceof TRPCClientError
    ? (error.data as { httpStatus?: number } | undefined)?.httpStatus
    : undefined;

describe('policies API', () => {
  let test: TestController;
  let viewer: ReturnType<typeof apiClient>;
  let operator: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    test = await startTestController();
    const server = test.controller.apiUrl;
    viewer = apiClient({ server, token: test.tokens.VIEWER });
    operator = apiClient({ server, token: test.tokens.OPERATOR });
    await operator.config.applyYaml.mutate({
      yaml: await readFile(EXAMPLE, 'utf8'),
      message: 'the example mesh',
    });
  });

  afterAll(async () => {
    await test.close();
  });

  it('lists the policies in force to a viewer, filtered by kind and service', async () => {
    const all = await viewer.policies.list.query();
    expect(all.map((p) => `${p.kind}/${p.name}`)).toEqual([
      'AccessPolicy/catalog-callers',
      'AccessPolicy/frontend-public',
      'AccessPolicy/inventory-callers',
      'AccessPolicy/inventory-no-delete',
      'AccessPolicy/ratings-callers',
      'AccessPolicy/reviews-callers',
      'TrafficPolicy/catalog',
      'TrafficPolicy/inventory',
    ]);
    const catalog = await viewer.policies.list.query({ service: 'shop/catalog' });
    expect(catalog.map((p) => [p.kind, p.name])).toEqual([
      ['AccessPolicy', 'catalog-callers'],
      ['TrafficPolicy', 'catalog'],
    ]);
    const access = await viewer.policies.list.query({ kind: 'AccessPolicy' });
    expect(access.every((p) => p.kind === 'AccessPolicy')).toBe(true);
    expect(access.find((p) => p.name === 'ratings-callers')).toMatchObject({
      target: 'shop/ratings',
      action: 'allow',
      from: ['service shop/reviews'],
      paths: ['/ratings/*'],
    });
  });

  it('gets one policy with its document, and 404 for one not in force', async () => {
    const policy = await viewer.policies.get.query({
      kind: 'TrafficPolicy',
      namespace: 'shop',
      name: 'inventory',
    });
    expect(policy).toMatchObject({
      kind: 'TrafficPolicy',
      target: 'shop/inventory',
      loadBalancer: 'roundRobin',
      resource: { kind: 'TrafficPolicy', metadata: { name: 'inventory', namespace: 'shop' } },
    });
    // Same name, other kind: not a TrafficPolicy.
    const missing = await viewer.policies.get
      .query({ kind: 'TrafficPolicy', namespace: 'shop', name: 'frontend-public' })
      .catch((e: unknown) => e);
    expect(statusOf(missing)).toBe(404);
    const bad = await viewer.policies.list
      .query({ service: 'no-namespace' } as never)
      .catch((e: unknown) => e);
    expect(statusOf(bad)).toBe(400);
    const anonymous = await apiClient({ server: test.controller.apiUrl })
      .policies.list.query()
      .catch((e: unknown) => e);
    expect(statusOf(anonymous)).toBe(401);
  });

  it('shows a change made through config.applyYaml', async () => {
    await operator.config.applyYaml.mutate({
      yaml: `apiVersion: weft.dev/v1alpha1
kind: TrafficPolicy
metadata: { name: reviews, namespace: shop }
spec:
  targetRef: { name: reviews }
  rateLimit: { requestsPerSecond: 50 }
`,
      message: 'limit reviews',
    });
    const reviews = await viewer.policies.list.query({ service: 'shop/reviews' });
    expect(reviews.find((p) => p.kind === 'TrafficPolicy')).toMatchObject({
      name: 'reviews',
      loadBalancer: null,
      rateLimit: { requestsPerSecond: 50, burst: 50 },
    });
  });
});
