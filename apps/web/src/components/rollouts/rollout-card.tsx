'use client';
// One rollout: where it is, why, the latest verdicts, and the operator's controls.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '~/trpc/react';
import type { RouterOutputs } from '~/trpc/types';
import { ConfirmButton } from '../confirm-button';
import { formatLatency, formatPercent, formatTime } from '../format/numbers';
import { Can } from '../shell/session';
import { AnalysisCharts } from './analysis-chart';
import { RolloutSteps } from './rollout-steps';

type Rollout = RouterOutputs['rollouts']['list'][number];

const PHASE_BADGE: Record<Rollout['phase'], string> = {
  PROGRESSING: 'warn',
  PAUSED: 'warn',
  SUCCEEDED: 'good',
  ROLLED_BACK: 'bad',
  FAILED: 'bad',
  ABORTED: 'idle',
};

export function RolloutCard({ rollout }: { rollout: Rollout }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: trpc.rollouts.pathKey() });
  const target = { namespace: rollout.namespace, service: rollout.service };
  const pause = useMutation(trpc.rollouts.pause.mutationOptions({ onSuccess }));
  const resume = useMutation(trpc.rollouts.resume.mutationOptions({ onSuccess }));
  const promote = useMutation(trpc.rollouts.promote.mutationOptions({ onSuccess }));
  const abort = useMutation(trpc.rollouts.abort.mutationOptions({ onSuccess }));
  const failure = pause.error ?? resume.error ?? promote.error ?? abort.error;
  const latest = rollout.analyses.at(-1);

  return (
    <section className="panel" data-testid="rollout" data-phase={rollout.phase}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 style={{ margin: 0 }}>
          {rollout.namespace}/{rollout.service}: {rollout.stableVersion} → {rollout.canaryVersion}{' '}
          <span className={`badge ${PHASE_BADGE[rollout.phase]}`} data-testid="rollout-phase">
            {rollout.phase.toLowerCase().replace('_', ' ')}
            {rollout.pause === null ? '' : ` (${rollout.pause.toLowerCase()})`}
          </span>
        </h2>
        {rollout.active ? (
          <Can atLeast="OPERATOR">
            <div className="row">
              {rollout.phase === 'PAUSED' ? (
                <button type="button" onClick={() => resume.mutate(target)}>
                  Resume
                </button>
              ) : (
                <button type="button" className="secondary" onClick={() => pause.mutate(target)}>
                  Pause
                </button>
              )}
              <ConfirmButton
                label="Promote"
                question={`Send all of ${rollout.service}'s traffic to ${rollout.canaryVersion} now, skipping the remaining steps?`}
                confirmLabel="Promote"
                onConfirm={() => promote.mutate(target)}
              />
              <ConfirmButton
                label="Abort"
                danger
                question={`Abort the rollout and send all traffic back to ${rollout.stableVersion}?`}
                confirmLabel="Abort rollout"
                onConfirm={() => abort.mutate(target)}
              />
            </div>
          </Can>
        ) : null}
      </div>
      {failure === null ? null : <div className="form-error">{failure.message}</div>}
      <RolloutSteps steps={rollout.steps} step={rollout.step} active={rollout.active} />
      <p>
        Weights now: {rollout.stableVersion} {rollout.weights.stable}% · {rollout.canaryVersion}{' '}
        {rollout.weights.canary}% · started by {rollout.startedBy} at{' '}
        {formatTime(Date.parse(rollout.startedAt))}
        {rollout.finishedAt === null
          ? ''
          : `, finished ${formatTime(Date.parse(rollout.finishedAt))}`}
      </p>
      {rollout.reason === null ? null : (
        <p data-testid="rollout-reason">
          <strong>Why:</strong> {rollout.reason}
        </p>
      )}
      {latest === undefined ? (
        <p className="muted">No analysis yet.</p>
      ) : (
        <p>
          Latest analysis ({latest.verdict}): canary {formatPercent(latest.canary.successRate, 2)}{' '}
          success, p99 {formatLatency(latest.canary.p99Ms)} over {latest.canary.requests} requests;
          stable {formatPercent(latest.stable.successRate, 2)}, p99{' '}
          {formatLatency(latest.stable.p99Ms)}.
          {latest.reasons.length === 0 ? '' : ` ${latest.reasons.join(' ')}`}
        </p>
      )}
      {rollout.analyses.length === 0 ? null : <AnalysisCharts rollout={rollout} />}
    </section>
  );
}
