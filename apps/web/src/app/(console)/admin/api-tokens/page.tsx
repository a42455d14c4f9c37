'use client';
// API tokens (admins): every user's tokens with their expiry or revocation, revoking any of them
// at once, and a token for oneself; the same audited calls as `weft api-token`.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { CreateApiTokenForm } from '~/components/admin/create-api-token-form';
import { RowError } from '~/components/admin/row-error';
import { tokenState } from '~/components/admin/token-state';
import { TokenStateCell } from '~/components/admin/token-state-cell';
import { ConfirmButton } from '~/components/confirm-button';
import { formatTime } from '~/components/format/numbers';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { useTRPC } from '~/trpc/react';
import type { RouterOutputs } from '~/trpc/types';

type ApiToken = RouterOutputs['apiTokens']['list'][number];

function ApiTokenRow({ token, now }: { token: ApiToken; now: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.apiTokens.revoke.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.apiTokens.pathKey() }),
    }),
  );
  const state = tokenState(token, now);
  return (
    <tr data-token={token.id}>
      <td>{token.name}</td>
      <td className="mono">{token.username}</td>
      <td>{token.role.toLowerCase()}</td>
      <td>{formatTime(token.createdAt)}</td>
      <TokenStateCell token={token} now={now} />
      <td>
        {state === 'active' ? (
          <ConfirmButton
            label="Revoke"
            danger
            disabled={revoke.isPending}
            question={`Revoke the API token "${token.name}" of ${token.username}? The next request made with it is refused.`}
            confirmLabel="Revoke token"
            onConfirm={() => revoke.mutate({ id: token.id })}
          />
        ) : null}
        <RowError error={revoke.error} />
      </td>
    </tr>
  );
}

export default function ApiTokensPage() {
  const trpc = useTRPC();
  const tokens = useQuery(trpc.apiTokens.list.queryOptions({}));
  const [user, setUser] = useState('');
  const [showEnded, setShowEnded] = useState(false);
  const now = tokens.dataUpdatedAt || Date.now();
  const all = tokens.data ?? [];
  const users = [...new Set(all.map((t) => t.username))].sort();
  const shown = all
    .filter((t) => user === '' || t.username === user)
    .filter((t) => showEnded || tokenState(t, now) === 'active')
    .reverse();
  return (
    <>
      <PageHeader
        title="API tokens"
        subtitle={`${all.filter((t) => tokenState(t, now) === 'active').length} active · for the CLI and automation (proxies join with join tokens)`}
        actions={
          <>
            <select
              aria-label="Filter by user"
              value={user}
              onChange={(e) => setUser(e.target.value)}
            >
              <option value="">All users</option>
              {users.map((u) => (
                <option key={u}>{u}</option>
              ))}
            </select>
            <label>
              <input
                type="checkbox"
                checked={showEnded}
                onChange={(e) => setShowEnded(e.target.checked)}
              />{' '}
              Show revoked and expired
            </label>
          </>
        }
      />
      <CreateApiTokenForm />
      <QueryView
        query={tokens}
        what="API tokens"
        isEmpty={() => shown.length === 0}
        empty={<>No API token{showEnded ? '' : ' in use'}.</>}
      >
        {() => (
          <div className="table-wrap">
            <table data-testid="api-tokens">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>User</th>
                  <th>Role</th>
                  <th>Created</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {shown.map((token) => (
                  <ApiTokenRow key={token.id} token={token} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </>
  );
}
