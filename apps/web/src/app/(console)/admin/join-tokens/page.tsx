'use client';
// Join tokens (admins): who made each, how many proxies used it, when it stops; creating one for
// a service and expiring one early. The same audited calls as `weft token`.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CreateJoinTokenForm } from '~/components/admin/create-join-token-form';
import { RowError } from '~/components/admin/row-error';
import { tokenState } from '~/components/admin/token-state';
import { TokenStateCell } from '~/components/admin/token-state-cell';
import { ConfirmButton } from '~/components/confirm-button';
import { formatTime } from '~/components/format/numbers';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { useTRPC } from '~/trpc/react';
import type { RouterOutputs } from '~/trpc/types';

type JoinToken = RouterOutputs['tokens']['list'][number];

function JoinTokenRow({ token, now }: { token: JoinToken; now: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const expire = useMutation(
    trpc.tokens.expire.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.tokens.pathKey() }),
    }),
  );
  const state = tokenState(token, now);
  const service = `${token.namespace}/${token.service}`;
  return (
    <tr data-token={token.id}>
      <td>{service}</td>
      <td className="mono">{token.createdBy}</td>
      <td>{formatTime(token.createdAt)}</td>
      <td className="num">
        {token.uses} / {token.maxUses ?? '∞'}
      </td>
      <TokenStateCell token={token} now={now} />
      <td>
        {state !== 'active' ? null : (
          <ConfirmButton
            label="Expire"
            danger
            disabled={expire.isPending}
            question={`Expire this join token for ${service} now? No proxy can bootstrap with it any more; proxies that joined with it keep running.`}
            confirmLabel="Expire token"
            onConfirm={() => expire.mutate({ id: token.id })}
          />
        )}
        <RowError error={expire.error} />
      </td>
    </tr>
  );
}

export default function JoinTokensPage() {
  const trpc = useTRPC();
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const now = tokens.dataUpdatedAt || Date.now();
  const all = tokens.data ?? [];
  return (
    <>
      <PageHeader
        title="Join tokens"
        subtitle={`${all.filter((t) => tokenState(t, now) === 'active').length} usable · a proxy's first credential: it bootstraps with one, then renews with its own certificate`}
      />
      <CreateJoinTokenForm />
      <QueryView
        query={tokens}
        what="join tokens"
        isEmpty={(data) => data.length === 0}
        empty={<>No join token yet.</>}
      >
        {(data) => (
          <div className="table-wrap">
            <table data-testid="join-tokens">
              <thead>
                <tr>
                  <th>Service</th>
                  <th>Created by</th>
                  <th>Created</th>
                  <th>Uses</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.map((token) => (
                  <JoinTokenRow key={token.id} token={token} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </>
  );
}
