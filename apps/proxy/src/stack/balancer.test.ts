import { describe, expect, it } from 'vitest';
import { EndpointHealth } from '../health/endpoint-health.ts';
import { createBalancer } from './balancer.ts';

const endpoints = () => [
  new EndpointHealth('a', '127.0.0.1', 1),
  new EndpointHealth('b', '127.0.0.1', 2),
];

describe('balancer', () => {
  it('sends a retry to another endpoint than the one its last attempt failed on', () => {
    for (const type of ['leastRequest', 'roundRobin', 'random'] as const) {
      const balance = createBalancer(type);
      const [a, b] = endpoints();
      if (a === undefined || b === undefined) throw new Error('two endpoints');
      // The dead endpoint has nothing in flight: least-request alone would pick it again.
      b.inFlight = 5;
      for (let i = 0; i < 20; i++) expect(balance([a, b], 0, 'a')?.workload).toBe('b');
    }
  });

  it('uses the endpoint it avoids when it is the only one', () => {
    const [a] = endpoints();
    if (a === undefined) throw new Error('an endpoint');
    expect(createBalancer('leastRequest')([a], 0, 'a')).toBe(a);
  });
});
