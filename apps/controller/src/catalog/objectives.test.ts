import type { ServiceResource } from '@weft/mesh-config';
import { describe, expect, it } from 'vitest';
import { judge, objectiveOf } from './objectives.ts';

const service = (objectives?: ServiceResource['spec']['objectives']): ServiceResource => ({
  apiVersion: 'weft.dev/v1alpha1',
  kind: 'Service',
  metadata: { name: 'catalog', namespace: 'shop' },
  spec: {
    protocol: 'http',
    ports: [{ name: 'http', port: 8080 }],
    versions: [],
    upstreams: [],
    ...(objectives === undefined ? {} : { objectives }),
  },
});

describe('objectives', () => {
  it('reads the Service objectives, durations in ms', () => {
    expect(objectiveOf(service())).toBeNull();
    expect(objectiveOf(service({}))).toBeNull();
    expect(objectiveOf(service({ successRate: 0.99, p99Latency: '1s' }))).toEqual({
      minSuccessRate: 0.99,
      maxP99Ms: 1_000,
    });
    expect(objectiveOf(service({ p99Latency: '250ms' }))).toEqual({
      minSuccessRate: null,
      maxP99Ms: 250,
    });
  });

  it('judges measured figures: met, breached, or nothing to judge', () => {
    const objective = { minSuccessRate: 0.99, maxP99Ms: 250 };
    expect(judge(objective, { requests: 100, successRate: 1, p99: 100 })).toEqual({
      meetsObjective: true,
      breaches: [],
    });
    expect(judge(objective, { requests: 100, successRate: 0.9, p99: 300 })).toEqual({
      meetsObjective: false,
      breaches: ['successRate', 'p99'],
    });
    expect(judge(objective, { requests: 0, successRate: null, p99: null })).toEqual({
      meetsObjective: null,
      breaches: [],
    });
    expect(judge(null, { requests: 10, successRate: 0.5, p99: 9_000 }).meetsObjective).toBeNull();
  });
});
