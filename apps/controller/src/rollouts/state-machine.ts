// The rollout state machine, pure: from a run's plan, its state, the clock and (when one was due)
// an analysis, the next state and the one action the runner must carry out. Each weight step is
// held until an analysis at that weight has passed; pauses wait out their duration or an
// operator; analyses keep judging the canary for as long as it may receive traffic.

import { formatDuration } from '@weft/mesh-config';
import type { AnalysisResult } from './analysis.ts';
import type { RolloutPlan } from './plan.ts';

export type RolloutPhase =
  | 'PROGRESSING'
  | 'PAUSED'
  | 'SUCCEEDED'
  | 'ROLLED_BACK'
  | 'FAILED'
  | 'ABORTED';
export type PauseCause = 'GATE' | 'OPERATOR' | 'ANALYSIS';

export const TERMINAL_PHASES: ReadonlySet<RolloutPhase> = new Set([
  'SUCCEEDED',
  'ROLLED_BACK',
  'FAILED',
  'ABORTED',
]);

/** A run's history is kept in its row; at a 10 s interval this is well over an hour of it. */
export const MAX_ANALYSES_KEPT = 500;

export interface RunState {
  readonly phase: RolloutPhase;
  /** Why a PAUSED run waits; null otherwise. */
  readonly pause: PauseCause | null;
  /** The step in progress: -1 before the first, steps.length once all are done. */
  readonly stepIndex: number;
  readonly canaryWeight: number;
  readonly stableWeight: number;
  readonly stepStartedAt: Date;
  /** An analysis at the current weight has passed: the step may end. */
  readonly stepPassed: boolean;
  readonly pausedAt: Date | null;
  readonly nextAnalysisAt: Date | null;
  readonly failures: number;
  readonly analyses: readonly AnalysisResult[];
  readonly reason: string | null;
  readonly finishedAt: Date | null;
}

export type RolloutAction =
  | { readonly type: 'none' }
  | {
      readonly type: 'setWeights';
      readonly canaryWeight: number;
      readonly stableWeight: number;
      /** The revision message: which step of which rollout. */
      readonly message: string;
    };

/** Something worth an audit row. */
export interface RolloutEvent {
  readonly action: string;
  readonly summary: string;
}

export interface Transition {
  /** The same object as the input state when nothing changed. */
  readonly state: RunState;
  readonly action: RolloutAction;
  readonly events: readonly RolloutEvent[];
}

export type OperatorCommand = 'pause' | 'resume' | 'promote' | 'abort';

const NONE: RolloutAction = { type: 'none' };
const plus = (date: Date, ms: number) => new Date(date.getTime() + ms);
const stepLabel = (plan: RolloutPlan, index: number) => `step ${index + 1}/${plan.steps.length}`;

function weights(plan: RolloutPlan, canaryWeight: number, why: string): RolloutAction {
  return {
    type: 'setWeights',
    canaryWeight,
    stableWeight: 100 - canaryWeight,
    message: `rollout ${plan.namespace}/${plan.service} ${why}: ${plan.canaryVersion} ${canaryWeight}%, ${plan.stableVersion} ${100 - canaryWeight}%`,
  };
}

export const isTerminal = (state: RunState): boolean => TERMINAL_PHASES.has(state.phase);

/** A new run: the canary joins the route at 0% (all traffic on stable); step 1 comes next. */
export function startRun(plan: RolloutPlan, now: Date): Transition {
  return {
    state: {
      phase: 'PROGRESSING',
      pause: null,
      stepIndex: -1,
      canaryWeight: 0,
      stableWeight: 100,
      stepStartedAt: now,
      stepPassed: false,
      pausedAt: null,
      nextAnalysisAt: plan.analysis === null ? null : plus(now, plan.analysis.intervalMs),
      failures: 0,
      analyses: [],
      reason: null,
      finishedAt: null,
    },
    action: weights(plan, 0, 'started'),
    events: [
      {
        action: 'rollouts.start',
        summary: `canary ${plan.canaryVersion} against stable ${plan.stableVersion} on HTTPRoute ${plan.namespace}/${plan.route}, ${plan.steps.length} steps`,
      },
    ],
  };
}

/** Analyses run while the canary may get traffic and nobody has yet been asked to decide. */
export function analysisDue(plan: RolloutPlan, state: RunState, now: Date): boolean {
  if (plan.analysis === null || state.nextAnalysisAt === null) return false;
  if (state.phase !== 'PROGRESSING' && !(state.phase === 'PAUSED' && state.pause !== 'ANALYSIS'))
    return false;
  return now.getTime() >= state.nextAnalysisAt.getTime();
}

function stepDone(plan: RolloutPlan, state: RunState, now: Date): boolean {
  const step = plan.steps[state.stepIndex];
  if (step === undefined) return state.stepIndex < 0;
  if (step.kind === 'weight') return plan.analysis === null || state.stepPassed;
  if (step.durationMs === null) return false;
  return now.getTime() >= state.stepStartedAt.getTime() + step.durationMs;
}

function finish(
  plan: RolloutPlan,
  state: RunState,
  now: Date,
  phase: 'SUCCEEDED' | 'ROLLED_BACK' | 'ABORTED',
  reason: string,
  events: RolloutEvent[],
  event: RolloutEvent,
): Transition {
  const canaryWeight = phase === 'SUCCEEDED' ? 100 : 0;
  return {
    state: {
      ...state,
      phase,
      pause: null,
      stepIndex: phase === 'SUCCEEDED' ? plan.steps.length : state.stepIndex,
      canaryWeight,
      stableWeight: 100 - canaryWeight,
      pausedAt: null,
      nextAnalysisAt: null,
      reason,
      finishedAt: now,
    },
    action: weights(plan, canaryWeight, phase.toLowerCase().replace('_', ' ')),
    events: [...events, event],
  };
}

/** Starts step `index`, or promotes when there is none left. */
function enter(
  plan: RolloutPlan,
  state: RunState,
  index: number,
  now: Date,
  events: RolloutEvent[],
): Transition {
  const step = plan.steps[index];
  const entered = {
    ...state,
    phase: 'PROGRESSING' as const,
    pause: null,
    pausedAt: null,
    reason: null,
    stepIndex: index,
    stepStartedAt: now,
    stepPassed: false,
  };
  if (step === undefined) {
    return finish(plan, state, now, 'SUCCEEDED', 'every step passed: promoted', events, {
      action: 'rollouts.promote',
      summary: `all ${plan.steps.length} steps done: ${plan.canaryVersion} takes 100%`,
    });
  }
  const label = stepLabel(plan, index);
  if (step.kind === 'weight') {
    return {
      state: {
        ...entered,
        canaryWeight: step.weight,
        stableWeight: 100 - step.weight,
        // The first analysis at a new weight looks at a whole interval of traffic at that weight.
        nextAnalysisAt: plan.analysis === null ? null : plus(now, plan.analysis.intervalMs),
      },
      action: weights(plan, step.weight, label),
      events: [
        ...events,
        { action: 'rollouts.step', summary: `${label}: ${plan.canaryVersion} at ${step.weight}%` },
      ],
    };
  }
  if (step.durationMs !== null) {
    return {
      state: entered,
      action: NONE,
      events: [
        ...events,
        { action: 'rollouts.step', summary: `${label}: pause ${formatDuration(step.durationMs)}` },
      ],
    };
  }
  return {
    state: {
      ...entered,
      phase: 'PAUSED',
      pause: 'GATE',
      pausedAt: now,
      reason: `waiting at ${label} for an operator: weft rollout resume ${plan.service}`,
    },
    action: NONE,
    events: [...events, { action: 'rollouts.step', summary: `${label}: paused until resumed` }],
  };
}

/** One tick: take in the analysis (if one was due), then move on when the step is done. */
export function advance(
  plan: RolloutPlan,
  state: RunState,
  now: Date,
  analysis?: AnalysisResult,
): Transition {
  if (isTerminal(state)) return { state, action: NONE, events: [] };
  let next = state;
  const events: RolloutEvent[] = [];
  if (analysis !== undefined && plan.analysis !== null && analysisDue(plan, state, now)) {
    next = {
      ...next,
      analyses: [...next.analyses, analysis].slice(-MAX_ANALYSES_KEPT),
      nextAnalysisAt: plus(now, plan.analysis.intervalMs),
    };
    if (analysis.verdict === 'passed') next = { ...next, stepPassed: true };
    if (analysis.verdict === 'failed') {
      const failures = next.failures + 1;
      const limit = plan.analysis.failureLimit;
      const why = analysis.reasons.join('; ');
      next = { ...next, failures };
      events.push({
        action: 'rollouts.analysis',
        summary: `analysis failed (${failures} of ${limit} allowed): ${why}`,
      });
      if (failures >= limit) {
        if (plan.rollbackOnFailure) {
          return finish(plan, next, now, 'ROLLED_BACK', why, events, {
            action: 'rollouts.rollback',
            summary: `${plan.stableVersion} back to 100%: ${why}`,
          });
        }
        return {
          state: {
            ...next,
            phase: 'PAUSED',
            pause: 'ANALYSIS',
            pausedAt: now,
            reason: `${why}; rollbackOnFailure is false, so ${plan.canaryVersion} keeps ${next.canaryWeight}% until an operator resumes, promotes or aborts`,
          },
          action: NONE,
          events: [...events, { action: 'rollouts.pause', summary: 'paused: analysis failed' }],
        };
      }
    }
  }
  if (next.phase === 'PROGRESSING' && stepDone(plan, next, now))
    return enter(plan, next, next.stepIndex + 1, now, events);
  return { state: next, action: NONE, events };
}

/** What an operator asked for, or why it cannot be done now. */
export function applyCommand(
  plan: RolloutPlan,
  state: RunState,
  now: Date,
  command: OperatorCommand,
  actor: string,
): Transition | { readonly refusal: string } {
  if (isTerminal(state))
    return { refusal: `the rollout is ${state.phase.toLowerCase()}: nothing to ${command}` };
  const at = state.stepIndex < 0 ? 'before step 1' : `at ${stepLabel(plan, state.stepIndex)}`;
  switch (command) {
    case 'pause':
      if (state.phase === 'PAUSED')
        return { refusal: `the rollout is already paused (${state.reason ?? state.pause})` };
      return {
        state: {
          ...state,
          phase: 'PAUSED',
          pause: 'OPERATOR',
          pausedAt: now,
          reason: `paused by ${actor}`,
        },
        action: NONE,
        events: [{ action: 'rollouts.pause', summary: `paused by ${actor} ${at}` }],
      };
    case 'resume': {
      if (state.phase !== 'PAUSED') return { refusal: 'the rollout is not paused' };
      const event = { action: 'rollouts.resume', summary: `resumed by ${actor} ${at}` };
      if (state.pause === 'GATE') return enter(plan, state, state.stepIndex + 1, now, [event]);
      const pausedFor = now.getTime() - (state.pausedAt ?? now).getTime();
      const resumed = {
        ...state,
        phase: 'PROGRESSING' as const,
        pause: null,
        pausedAt: null,
        reason: null,
      };
      if (state.pause === 'ANALYSIS') {
        // The operator judged the failures acceptable: the count starts again at this weight.
        const interval = plan.analysis?.intervalMs ?? 0;
        return {
          state: {
            ...resumed,
            failures: 0,
            stepPassed: false,
            nextAnalysisAt: plus(now, interval),
          },
          action: NONE,
          events: [event],
        };
      }
      // A timed pause keeps what was left of it when the operator paused.
      return {
        state: { ...resumed, stepStartedAt: plus(state.stepStartedAt, pausedFor) },
        action: NONE,
        events: [event],
      };
    }
    case 'promote':
      return finish(plan, state, now, 'SUCCEEDED', `promoted by ${actor} ${at}`, [], {
        action: 'rollouts.promote',
        summary: `promoted by ${actor} ${at}: ${plan.canaryVersion} takes 100%`,
      });
    case 'abort':
      return finish(plan, state, now, 'ABORTED', `aborted by ${actor} ${at}`, [], {
        action: 'rollouts.abort',
        summary: `aborted by ${actor} ${at}: ${plan.stableVersion} back to 100%`,
      });
  }
}

/** The run cannot go on (its weights could not be set): it ends here, traffic as it was. */
export function failRun(state: RunState, now: Date, reason: string): Transition {
  return {
    state: {
      ...state,
      phase: 'FAILED',
      pause: null,
      pausedAt: null,
      nextAnalysisAt: null,
      reason,
      finishedAt: now,
    },
    action: NONE,
    events: [{ action: 'rollouts.fail', summary: reason }],
  };
}
