import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMeshConfig, type Resource } from '@weft/mesh-config';
import { describe, expect, it } from 'vitest';
import { isSplit, matchSummary, routeSummaries } from './routes.ts';

const EXAMPLE = join(import.meta.dirname, '../../../../examples/mesh.yaml');

function example(): Resource[] {
  const { resources, issues } = loadMeshConfig([
    { file: 'mesh.yaml', text: readFileSync(EXAMPLE, 'utf8') },
  ]);
  expect(issues).toEqual([]);
  return resources.map((r) => r.resource);
}

describe('routeSummaries', () => {
  it('summarizes the example routes and finds the canary split rule', () => {
    const [catalog, reviews] = routeSummaries(example());
    expect(catalog).toEqual({
      namespace: 'shop',
      name: 'catalog',
      service: 'shop/catalog',
      parents: ['shop/catalog'],
      splitRuleIndex: 1,
      rules: [
        {
          index: 0,
          name: 'testers',
          matches: ['header x-weft-canary=always'],
          backends: [{ service: 'shop/catalog', version: 'v2', weight: 1 }],
          timeoutMs: null,
          retryAttempts: null,
        },
        {
          index: 1,
          name: 'split',
          matches: ['PathPrefix /'],
          backends: [
            { service: 'shop/catalog', version: 'v1', weight: 90 },
            { service: 'shop/catalog', version: 'v2', weight: 10 },
          ],
          timeoutMs: 2_000,
          retryAttempts: 3,
        },
      ],
    });
    expect(reviews).toMatchObject({
      name: 'reviews',
      service: 'shop/reviews',
      splitRuleIndex: null,
      rules: [{ index: 0, name: null, matches: ['PathPrefix /reviews and method GET'] }],
    });
  });
});

describe('matchSummary', () => {
  it('joins every condition of one match', () => {
    expect(
      matchSummary({
        path: { type: 'Exact', value: '/api' },
        method: 'POST',
        headers: [{ name: 'x-a', type: 'RegularExpression', value: '^b' }],
        queryParams: [{ name: 'debug', type: 'Exact', value: '1' }],
      }),
    ).toBe('Exact /api and method POST and header x-a~=^b and query debug=1');
    expect(matchSummary({})).toBe('PathPrefix /');
  });
});

describe('isSplit', () => {
  const b = (service: string, version: string | null) => ({ service, version, weight: 1 });
  it('is a split only with two versions of one service', () => {
    expect(isSplit([b('shop/a', 'v1'), b('shop/a', 'v2')])).toBe(true);
    expect(isSplit([b('shop/a', 'v1'), b('shop/b', 'v2')])).toBe(false);
    expect(isSplit([b('shop/a', 'v1'), b('shop/a', 'v1')])).toBe(false);
    expect(isSplit([b('shop/a', null), b('shop/a', 'v1')])).toBe(false);
  });
});
