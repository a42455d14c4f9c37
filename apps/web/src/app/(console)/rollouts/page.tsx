'use client';
// Rollouts: start one for a service with a Rollout resource, and follow every run's steps,
// analyses and outcome.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { RolloutCard } from '~/components/rollouts/rollout-card';
import { Can } from '~/components/shell/session';
import { LIVE_REFRESH_MS } from '~/trpc/query-client';
import { useTRPC } from '~/trpc/react';

function StartRollout() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const resources = useQuery(trpc.config.current.queryOptions());
  const services = useQuery(trpc.services.list.queryOptions());
  const rollouts = (resources.data ?? []).flatMap((r) => (r.kind === 'Rollout' ? [r] : []));
  const [choice, setChoice] = useState('');
  const [canary, setCanary] = useState('');
  const chosen =
    rollouts.find((r) => `${r.metadata.namespace}/${r.spec.service}` === choice) ?? rollouts[0];
  const versions =
    services.data?.find(
      (s) => chosen !== undefined && s.id === `${chosen.metadata.namespace}/${chosen.spec.service}`,
    )?.versions ?? [];
  const start = useMutation(
    trpc.rollouts.start.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.rollouts.pathKey() }),
    }),
  );
  if (chosen === undefined) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate({
      namespace: chosen.metadata.namespace,
      service: chosen.spec.service,
      ...(canary === '' ? {} : { canaryVersion: canary }),
    });
  };
  return (
    <form className="panel row" onSubmit={submit} aria-label="Start a rollout">
      <label>
        Service{' '}
        <select value={choice} onChange={(e) => setChoice(e.target.value)}>
          {rollouts.map((r) => (
            <option key={r.metadata.name} value={`${r.metadata.namespace}/${r.spec.service}`}>
              {r.metadata.namespace}/{r.spec.service}
            </option>
          ))}
        </select>
      </label>
      <label>
        Canary{' '}
        <select value={canary} onChange={(e) => setCanary(e.target.value)}>
          <option value="">{chosen.spec.canaryVersion} (from the Rollout)</option>
          {versions
            .filter((v) => v !== chosen.spec.stableVersion && v !== chosen.spec.canaryVersion)
            .map((v) => (
              <option key={v}>{v}</option>
            ))}
        </select>
      </label>
      <span className="muted">stable {chosen.spec.stableVersion}</span>
      <button type="submit" disabled={start.isPending}>
        Start rollout
      </button>
      <span className="form-error">{start.error?.message}</span>
    </form>
  );
}

export default function RolloutsPage() {
  const trpc = useTRPC();
  const rollouts = useQuery(
    trpc.rollouts.list.queryOptions(undefined, { refetchInterval: LIVE_REFRESH_MS }),
  );
  return (
    <>
      <PageHeader
        title="Rollouts"
        subtitle="Canaries that advance, promote or roll back by the mesh's own numbers"
      />
      <Can atLeast="OPERATOR">
        <StartRollout />
      </Can>
      <QueryView
        query={rollouts}
        what="rollouts"
        isEmpty={(data) => data.length === 0}
        empty={<>No rollout has run yet.</>}
      >
        {(data) => data.map((rollout) => <RolloutCard key={rollout.id} rollout={rollout} />)}
      </QueryView>
    </>
  );
}
