// A Rollout resource as a plan: durations in ms, defaults named, gates kept apart from pauses.

import { loadMeshConfig, type RolloutResource } from '@weft/mesh-config';
import { describe, expect, it } from 'vitest';
import { judge } from './analysis.ts';
import { DEFAULT_FAILURE_LIMIT, describeStep, planOf } from './plan.ts';

function rollout(spec: string): RolloutResource {
  const text = `apiVersion: weft.dev/v1alpha1
kind: Rollout
metadata: { name: catalog, namespace: shop }
spec:
${spec}`;
  const { resources } = loadMeshConfig([{ file: 'r.yaml', text }]);
  const found = resources.find((r) => r.resource.kind === 'Rollout')?.resource;
  if (found?.kind !== 'Rollout') throw new Error('no Rollout loaded');
  return found;
}

describe('rollout plan', () => {
  it('turns durations into milliseconds and keeps a pause without duration as a gate', () => {
    const plan = planOf(
      rollout(`  service: catalog
  stableVersion: v1
  canaryVersion: v2
  steps: [{ setWeight: 10 }, { pause: { duration: 1m30s } }, { pause: {} }]
  analysis: { interval: 30s, maxP99Latency: 250ms }`),
      { route: 'catalog', stableVersion: 'v1', canaryVersion: 'v3' },
    );
    expect(plan.canaryVersion).toBe('v3');
    expect(plan.steps).toEqual([
      { kind: 'weight', weight: 10 },
      { kind: 'pause', durationMs: 90_000 },
      { kind: 'pause', durationMs: null },
    ]);
    expect(plan.steps.map(describeStep)).toEqual([
      'setWeight 10',
      'pause 1m30s',
      'pause until resumed',
    ]);
    expect(plan.analysis).toEqual({
      intervalMs: 30_000,
      minSuccessRate: null,
      maxP99LatencyMs: 250,
      minRequests: 1,
      failureLimit: DEFAULT_FAILURE_LIMIT,
    });
    expect(plan.rollbackOnFailure).toBe(true);
  });

  it('judges with only the thresholds it was given', () => {
    const plan = planOf(
      rollout(`  service: catalog
  stableVersion: v1
  canaryVersion: v2
  steps: [{ setWeight: 50 }]
  analysis: { interval: 5s, failureLimit: 0 }`),
      { route: 'catalog', stableVersion: 'v1', canaryVersion: 'v2' },
    );
    if (plan.analysis === null) throw new Error('no analysis');
    expect(plan.analysis.failureLimit).toBe(1);
    const result = judge(plan.analysis, {
      at: new Date(0),
      stepIndex: 0,
      canaryWeight: 50,
      canary: { version: 'v2', requests: 10, errors: 9, p99Ms: 5_000 },
      stable: { version: 'v1', requests: 0, errors: 0, p99Ms: null },
    });
    expect(result).toMatchObject({
      verdict: 'passed',
      canary: { successRate: 0.1 },
      stable: { successRate: null, p99Ms: null },
    });
  });
});
