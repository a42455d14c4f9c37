import { describe, expect, it } from 'vitest';
import { MAX_DRAWN_NODES, visibleNodes } from './neighbourhood';

// A mesh of 1,000 services: svc-0 calls svc-1 … svc-9, and each svc-N calls svc-(N+1).
const ids = Array.from({ length: 1_000 }, (_, i) => `big/svc-${i}`);
const edges = [
  ...Array.from({ length: 9 }, (_, i) => ({
    source: 'big/svc-0',
    destination: `big/svc-${i + 1}`,
  })),
  ...Array.from({ length: 999 }, (_, i) => ({
    source: `big/svc-${i}`,
    destination: `big/svc-${i + 1}`,
  })),
];

describe('which part of a 1,000-service graph is drawn', () => {
  it('draws at most MAX_DRAWN_NODES and says it left some out', () => {
    const shown = visibleNodes(ids, edges, '', null);
    expect(shown.ids).toHaveLength(MAX_DRAWN_NODES);
    expect(shown.truncated).toBe(true);
  });

  it('finds services by a case-insensitive search', () => {
    expect(visibleNodes(ids, edges, 'SVC-99', null)).toEqual({
      ids: [
        'big/svc-99',
        'big/svc-990',
        'big/svc-991',
        'big/svc-992',
        'big/svc-993',
        'big/svc-994',
        'big/svc-995',
        'big/svc-996',
        'big/svc-997',
        'big/svc-998',
        'big/svc-999',
      ],
      truncated: false,
    });
  });

  it("focuses on one service's callers and callees, ignoring the search", () => {
    expect(visibleNodes(ids, edges, 'nothing matches', 'big/svc-5').ids).toEqual([
      'big/svc-0',
      'big/svc-4',
      'big/svc-5',
      'big/svc-6',
    ]);
  });
});
