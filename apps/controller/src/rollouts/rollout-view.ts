// A rollout run as the API shows it: state, step i of n, weights per version, the analyses with
// both versions' figures, the reason and the timestamps (ISO strings, as they travel).

import type { RolloutRun } from '../repositories/rollouts.ts';
import type { AnalysisResult } from './analysis.ts';
import { describeStep } from './plan.ts';
import { isTerminal, type PauseCause, type RolloutPhase } from './state-machine.ts';

export interface RolloutView {
  readonly id: number;
  readonly namespace: string;
  readonly service: string;
  readonly rollout: string;
  readonly route: string;
  readonly stableVersion: string;
  readonly canaryVersion: string;
  readonly phase: RolloutPhase;
  readonly pause: PauseCause | null;
  readonly active: boolean;
  /** 1-based; 0 before the first step, total once all are done. */
  readonly step: number;
  readonly totalSteps: number;
  readonly steps: readonly string[];
  readonly currentStep: string | null;
  readonly weights: { readonly stable: number; readonly canary: number };
  readonly failures: number;
  readonly analysis: {
    readonly intervalSeconds: number;
    readonly minSuccessRate: number | null;
    readonly maxP99LatencyMs: number | null;
    readonly minRequests: number;
    readonly failureLimit: number;
  } | null;
  readonly rollbackOnFailure: boolean;
  readonly analyses: readonly AnalysisResult[];
  readonly reason: string | null;
  readonly startedBy: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly stepStartedAt: string;
  readonly nextAnalysisAt: string | null;
  readonly finishedAt: string | null;
}

export function viewOf(run: RolloutRun): RolloutView {
  const { plan, state } = run;
  const current = plan.steps[state.stepIndex];
  return {
    id: run.id,
    namespace: plan.namespace,
    service: plan.service,
    rollout: plan.rollout,
    route: plan.route,
    stableVersion: plan.stableVersion,
    canaryVersion: plan.canaryVersion,
    phase: state.phase,
    pause: state.pause,
    active: !isTerminal(state),
    step: Math.max(0, Math.min(state.stepIndex + 1, plan.steps.length)),
    totalSteps: plan.steps.length,
    steps: plan.steps.map(describeStep),
    currentStep: current === undefined ? null : describeStep(current),
    weights: { stable: state.stableWeight, canary: state.canaryWeight },
    failures: state.failures,
    analysis:
      plan.analysis === null
        ? null
        : {
            intervalSeconds: plan.analysis.intervalMs / 1_000,
            minSuccessRate: plan.analysis.minSuccessRate,
            maxP99LatencyMs: plan.analysis.maxP99LatencyMs,
            minRequests: plan.analysis.minRequests,
            failureLimit: plan.analysis.failureLimit,
          },
    rollbackOnFailure: plan.rollbackOnFailure,
    analyses: state.analyses,
    reason: state.reason,
    startedBy: run.startedBy,
    startedAt: run.startedAt.toISOString(),
    updatedAt: run.updatedAt.toISOString(),
    stepStartedAt: state.stepStartedAt.toISOString(),
    nextAnalysisAt: state.nextAnalysisAt?.toISOString() ?? null,
    finishedAt: state.finishedAt?.toISOString() ?? null,
  };
}
