'use client';
// Edit a route's matches, backends, timeouts and retries as the YAML operators keep in git: check
// it against what is in force (every problem with its line), see the diff, apply it as a revision.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { stringify } from 'yaml';
import { useTRPC } from '~/trpc/react';
import type { RouterOutputs } from '~/trpc/types';
import { PropagationStatus } from '../canary/propagation-status';
import { ResourceDiff } from '../history/resource-diff';
import { ConfigIssues } from './config-issues';

type Route = RouterOutputs['routes']['get'];

export function RouteEditor({ route }: { route: Route }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const original = stringify(route.resource);
  const [yaml, setYaml] = useState(original);
  const file = `HTTPRoute ${route.namespace}/${route.name}`;
  const check = useMutation(trpc.config.diff.mutationOptions());
  const apply = useMutation(
    trpc.config.applyYaml.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.routes.pathKey() }),
    }),
  );
  const edit = (text: string) => {
    setYaml(text);
    check.reset();
    apply.reset();
  };
  const checkedThisText = check.isSuccess && check.variables?.yaml === yaml;

  return (
    <section className="panel" aria-labelledby="route-editor" data-testid="route-editor">
      <h2 id="route-editor" style={{ marginTop: 0 }}>
        Edit the route
      </h2>
      <p className="muted">
        Matches, backends, timeouts, retries and filters, in the HTTPRoute's own YAML. Check shows
        what would change; Apply makes it a revision that every affected proxy receives.
      </p>
      <textarea
        aria-label="Route YAML"
        className="mono"
        spellCheck={false}
        rows={Math.min(30, original.split('\n').length + 2)}
        style={{ width: '100%' }}
        value={yaml}
        onChange={(e) => edit(e.target.value)}
      />
      <div className="row" style={{ marginTop: '0.5rem' }}>
        <button
          type="button"
          className="secondary"
          disabled={check.isPending}
          onClick={() => check.mutate({ yaml, file })}
        >
          Check
        </button>
        <button
          type="button"
          disabled={!checkedThisText || (check.data?.length ?? 0) === 0 || apply.isPending}
          onClick={() => apply.mutate({ yaml, file, message: `edit ${file} from the console` })}
        >
          {apply.isPending ? 'Applying…' : 'Apply'}
        </button>
        <button
          type="button"
          className="link"
          onClick={() => edit(original)}
          disabled={yaml === original}
        >
          Revert my edits
        </button>
      </div>
      <ConfigIssues error={check.error ?? apply.error} />
      {checkedThisText && check.data.length === 0 ? (
        <p className="muted">No change from what is in force.</p>
      ) : null}
      {checkedThisText && apply.data === undefined
        ? check.data.map((change) => <ResourceDiff key={change.key} change={change} />)
        : null}
      {apply.data?.changed === true ? (
        <p>
          Applied as revision {apply.data.revision}.{' '}
          <PropagationStatus revision={apply.data.revision} />
        </p>
      ) : null}
    </section>
  );
}
