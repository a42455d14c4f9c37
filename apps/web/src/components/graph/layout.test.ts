import { describe, expect, it } from 'vitest';
import { edgeKey, layoutGraph, NODE_WIDTH } from './layout';

describe('the service graph layout', () => {
  it('places callers left of what they call, each edge with its own path and label', () => {
    const edges = [
      { source: 'shop/frontend', destination: 'shop/catalog' },
      { source: 'shop/frontend', destination: 'shop/reviews' },
      { source: 'shop/catalog', destination: 'shop/inventory' },
    ];
    const placed = layoutGraph(
      ['shop/frontend', 'shop/catalog', 'shop/reviews', 'shop/inventory'],
      edges,
    );
    const x = (id: string) => placed.nodes.get(id)?.x ?? Number.NaN;
    expect(x('shop/catalog') - x('shop/frontend')).toBeGreaterThanOrEqual(NODE_WIDTH);
    expect(x('shop/inventory') - x('shop/catalog')).toBeGreaterThanOrEqual(NODE_WIDTH);
    const labels = edges.map((e) => placed.edges.get(edgeKey(e.source, e.destination))?.label);
    expect(new Set(labels.map((l) => `${l?.x},${l?.y}`)).size).toBe(edges.length);
    for (const e of edges)
      expect(placed.edges.get(edgeKey(e.source, e.destination))?.points.length).toBeGreaterThan(1);
  });
});
