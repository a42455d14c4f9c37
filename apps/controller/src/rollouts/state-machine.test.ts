// The rollout state machine on its own: steps, holds, gates, analyses, commands, with a fake clock.

import { describe, expect, it } from 'vitest';
import { type AnalysisResult, judge } from './analysis.ts';
import type { RolloutPlan } from './plan.ts';
import {
  advance,
  analysisDue,
  applyCommand,
  failRun,
  type RunState,
  startRun,
  type Transition,
} from './state-machine.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1_000);

const plan = (overrides: Partial<RolloutPlan> = {}): RolloutPlan => ({
  namespace: 'shop',
  service: 'catalog',
  rollout: 'catalog',
  route: 'catalog',
  stableVersion: 'v1',
  canaryVersion: 'v2',
  steps: [
    { kind: 'weight', weight: 10 },
    { kind: 'pause', durationMs: 20_000 },
    { kind: 'weight', weight: 50 },
  ],
  analysis: {
    intervalMs: 10_000,
    minSuccessRate: 0.95,
    maxP99LatencyMs: 300,
    minRequests: 20,
    failureLimit: 2,
  },
  rollbackOnFailure: true,
  ...overrides,
});

function analysisAt(
  p: RolloutPlan,
  state: RunState,
  now: Date,
  canary: { requests: number; errors?: number; p99?: number },
): AnalysisResult {
  if (p.analysis === null) throw new Error('no analysis');
  return judge(p.analysis, {
    at: now,
    stepIndex: state.stepIndex,
    canaryWeight: state.canaryWeight,
    canary: {
      version: p.canaryVersion,
      requests: canary.requests,
      errors: canary.errors ?? 0,
      p99Ms: canary.p99 ?? 40,
    },
    stable: { version: p.stableVersion, requests: 900, errors: 1, p99Ms: 41 },
  });
}

const weightsOf = (t: Transition) =>
  t.action.type === 'setWeights' ? [t.action.canaryWeight, t.action.stableWeight] : undefined;

describe('rollout state machine', () => {
  it('starts with the canary at 0%, then steps, holds each weight until an analysis passes, and promotes', () => {
    const p = plan();
    let t = startRun(p, at(0));
    expect(t.state).toMatchObject({ phase: 'PROGRESSING', stepIndex: -1, canaryWeight: 0 });
    expect(weightsOf(t)).toEqual([0, 100]);

    t = advance(p, t.state, at(1));
    expect(t.state).toMatchObject({ stepIndex: 0, canaryWeight: 10, stableWeight: 90 });
    expect(weightsOf(t)).toEqual([10, 90]);
    expect(t.action.type === 'setWeights' && t.action.message).toBe(
      'rollout shop/catalog step 1/3: v2 10%, v1 90%',
    );

    // No analysis is due yet, and without a passing one the weight is held.
    expect(analysisDue(p, t.state, at(5))).toBe(false);
    const held = advance(p, t.state, at(5));
    expect(held.state).toBe(t.state);
    expect(analysisDue(p, t.state, at(11))).toBe(true);

    t = advance(p, t.state, at(11), analysisAt(p, t.state, at(11), { requests: 100 }));
    expect(t.state).toMatchObject({ stepIndex: 1, canaryWeight: 10 });
    expect(t.state.analyses.map((a) => a.verdict)).toEqual(['passed']);
    expect(t.action.type).toBe('none');

    // The pause runs 20 s from when it began.
    expect(advance(p, t.state, at(30)).state.stepIndex).toBe(1);
    t = advance(p, t.state, at(31));
    expect(t.state).toMatchObject({ stepIndex: 2, canaryWeight: 50 });
    expect(weightsOf(t)).toEqual([50, 50]);

    t = advance(p, t.state, at(41), analysisAt(p, t.state, at(41), { requests: 100 }));
    expect(t.state).toMatchObject({ phase: 'SUCCEEDED', stepIndex: 3, canaryWeight: 100 });
    expect(t.state.finishedAt).toEqual(at(41));
    expect(weightsOf(t)).toEqual([100, 0]);
    expect(t.events.map((e) => e.action)).toEqual(['rollouts.promote']);
    expect(advance(p, t.state, at(60)).state).toBe(t.state);
  });

  it('keeps waiting on an inconclusive analysis: too few canary requests is not a failure', () => {
    const p = plan();
    let t = advance(p, startRun(p, at(0)).state, at(0));
    t = advance(p, t.state, at(10), analysisAt(p, t.state, at(10), { requests: 5, errors: 5 }));
    expect(t.state).toMatchObject({ phase: 'PROGRESSING', stepIndex: 0, failures: 0 });
    expect(t.state.analyses[0]?.verdict).toBe('inconclusive');
    expect(t.state.analyses[0]?.reasons[0]).toBe(
      'canary v2 served 5 request(s) over 10 s, fewer than the 20 needed to judge (stable v1: 900)',
    );
    expect(t.state.nextAnalysisAt).toEqual(at(20));
  });

  it('rolls back after failureLimit failed analyses, with the reason and both versions recorded', () => {
    const p = plan();
    let t = advance(p, startRun(p, at(0)).state, at(0));
    t = advance(p, t.state, at(10), analysisAt(p, t.state, at(10), { requests: 100, p99: 812 }));
    expect(t.state).toMatchObject({ phase: 'PROGRESSING', failures: 1, canaryWeight: 10 });
    expect(t.events.map((e) => e.action)).toEqual(['rollouts.analysis']);
    t = advance(p, t.state, at(20), analysisAt(p, t.state, at(20), { requests: 100, p99: 812 }));
    expect(t.state).toMatchObject({
      phase: 'ROLLED_BACK',
      failures: 2,
      canaryWeight: 0,
      stableWeight: 100,
      reason: 'canary v2 p99 812 ms > 300 ms over 10 s (stable p99 41 ms)',
    });
    expect(weightsOf(t)).toEqual([0, 100]);
    expect(t.state.analyses[1]).toMatchObject({
      verdict: 'failed',
      canary: { version: 'v2', requests: 100, p99Ms: 812 },
      stable: { version: 'v1', requests: 900, p99Ms: 41 },
    });
  });

  it('names a low success rate against the stable rate', () => {
    const p = plan({
      analysis: { ...(plan().analysis as NonNullable<RolloutPlan['analysis']>), failureLimit: 1 },
    });
    let t = advance(p, startRun(p, at(0)).state, at(0));
    t = advance(p, t.state, at(10), analysisAt(p, t.state, at(10), { requests: 100, errors: 18 }));
    expect(t.state.phase).toBe('ROLLED_BACK');
    expect(t.state.reason).toBe('canary v2 success rate 82.0% < 95.0% over 10 s (stable 99.9%)');
  });

  it('pauses for an operator instead of rolling back when rollbackOnFailure is false', () => {
    const p = plan({ rollbackOnFailure: false });
    let t = advance(p, startRun(p, at(0)).state, at(0));
    for (const s of [10, 20])
      t = advance(p, t.state, at(s), analysisAt(p, t.state, at(s), { requests: 100, errors: 50 }));
    expect(t.state).toMatchObject({ phase: 'PAUSED', pause: 'ANALYSIS', canaryWeight: 10 });
    expect(t.action.type).toBe('none');
    expect(analysisDue(p, t.state, at(60))).toBe(false);
    const resumed = applyCommand(p, t.state, at(30), 'resume', 'otto');
    if ('refusal' in resumed) throw new Error(resumed.refusal);
    expect(resumed.state).toMatchObject({ phase: 'PROGRESSING', failures: 0, stepPassed: false });
    expect(resumed.state.nextAnalysisAt).toEqual(at(40));
  });

  it('waits at a gate until resumed, and analyses go on meanwhile', () => {
    const p = plan({
      steps: [
        { kind: 'weight', weight: 30 },
        { kind: 'pause', durationMs: null },
        { kind: 'weight', weight: 60 },
      ],
    });
    let t = advance(p, startRun(p, at(0)).state, at(0));
    t = advance(p, t.state, at(10), analysisAt(p, t.state, at(10), { requests: 100 }));
    expect(t.state).toMatchObject({
      phase: 'PAUSED',
      pause: 'GATE',
      stepIndex: 1,
      canaryWeight: 30,
    });
    expect(t.state.reason).toBe('waiting at step 2/3 for an operator: weft rollout resume catalog');
    expect(advance(p, t.state, at(3_600)).state.stepIndex).toBe(1);
    expect(analysisDue(p, t.state, at(20))).toBe(true);
    t = advance(p, t.state, at(20), analysisAt(p, t.state, at(20), { requests: 100 }));
    expect(t.state).toMatchObject({ phase: 'PAUSED', stepIndex: 1 });

    const resumed = applyCommand(p, t.state, at(25), 'resume', 'otto');
    if ('refusal' in resumed) throw new Error(resumed.refusal);
    expect(resumed.state).toMatchObject({
      phase: 'PROGRESSING',
      pause: null,
      stepIndex: 2,
      canaryWeight: 60,
    });
    expect(weightsOf(resumed)).toEqual([60, 40]);
    expect(resumed.events.map((e) => e.action)).toEqual(['rollouts.resume', 'rollouts.step']);
  });

  it('rolls back even while paused when the canary fails its analyses', () => {
    const p = plan({
      analysis: { ...(plan().analysis as NonNullable<RolloutPlan['analysis']>), failureLimit: 1 },
    });
    const t = advance(p, startRun(p, at(0)).state, at(0));
    const paused = applyCommand(p, t.state, at(5), 'pause', 'otto');
    if ('refusal' in paused) throw new Error(paused.refusal);
    const failed = advance(
      p,
      paused.state,
      at(10),
      analysisAt(p, paused.state, at(10), { requests: 50, errors: 50 }),
    );
    expect(failed.state.phase).toBe('ROLLED_BACK');
  });

  it('keeps what was left of a timed pause across an operator pause', () => {
    const p = plan();
    let t = advance(p, startRun(p, at(0)).state, at(0));
    t = advance(p, t.state, at(10), analysisAt(p, t.state, at(10), { requests: 100 }));
    expect(t.state.stepIndex).toBe(1); // pause 20 s, from 10 s
    const paused = applyCommand(p, t.state, at(15), 'pause', 'otto');
    if ('refusal' in paused) throw new Error(paused.refusal);
    expect(paused.state).toMatchObject({
      phase: 'PAUSED',
      pause: 'OPERATOR',
      reason: 'paused by otto',
    });
    expect(advance(p, paused.state, at(100)).state.stepIndex).toBe(1);
    const resumed = applyCommand(p, paused.state, at(115), 'resume', 'otto');
    if ('refusal' in resumed) throw new Error(resumed.refusal);
    // 5 s of the pause had passed; 15 s remain from 115 s.
    expect(advance(p, resumed.state, at(129)).state.stepIndex).toBe(1);
    expect(advance(p, resumed.state, at(130)).state.stepIndex).toBe(2);
  });

  it('promotes and aborts on command, and refuses what does not fit the state', () => {
    const p = plan();
    const t = advance(p, startRun(p, at(0)).state, at(0));
    const promoted = applyCommand(p, t.state, at(3), 'promote', 'otto');
    if ('refusal' in promoted) throw new Error(promoted.refusal);
    expect(promoted.state).toMatchObject({
      phase: 'SUCCEEDED',
      canaryWeight: 100,
      reason: 'promoted by otto at step 1/3',
    });
    expect(weightsOf(promoted)).toEqual([100, 0]);

    const aborted = applyCommand(p, t.state, at(3), 'abort', 'otto');
    if ('refusal' in aborted) throw new Error(aborted.refusal);
    expect(aborted.state).toMatchObject({ phase: 'ABORTED', canaryWeight: 0, stableWeight: 100 });
    expect(weightsOf(aborted)).toEqual([0, 100]);

    expect(applyCommand(p, t.state, at(3), 'resume', 'otto')).toEqual({
      refusal: 'the rollout is not paused',
    });
    expect(applyCommand(p, aborted.state, at(4), 'abort', 'otto')).toEqual({
      refusal: 'the rollout is aborted: nothing to abort',
    });
    const paused = applyCommand(p, t.state, at(3), 'pause', 'otto');
    if ('refusal' in paused) throw new Error(paused.refusal);
    expect(applyCommand(p, paused.state, at(4), 'pause', 'otto')).toEqual({
      refusal: 'the rollout is already paused (paused by otto)',
    });
  });

  it('without analysis, a weight step ends at the next tick', () => {
    const p = plan({ analysis: null });
    let t = advance(p, startRun(p, at(0)).state, at(0));
    expect(t.state.nextAnalysisAt).toBeNull();
    t = advance(p, t.state, at(1));
    expect(t.state.stepIndex).toBe(1);
  });

  it('fails a run whose weights cannot be set, leaving the traffic as it was', () => {
    const p = plan();
    const t = advance(p, startRun(p, at(0)).state, at(0));
    const failed = failRun(t.state, at(2), 'HTTPRoute shop/catalog does not exist');
    expect(failed.state).toMatchObject({ phase: 'FAILED', canaryWeight: 10, finishedAt: at(2) });
    expect(failed.events).toEqual([
      { action: 'rollouts.fail', summary: 'HTTPRoute shop/catalog does not exist' },
    ]);
  });
});
