'use client';
// One user in the admin's list: their role (changed in place), whether they may sign in, and
// disabling (which ends their sessions and revokes their API tokens) or enabling them again.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ConfirmButton } from '~/components/confirm-button';
import { formatTime } from '~/components/format/numbers';
import type { Role } from '~/components/shell/session';
import { useTRPC, useTRPCClient } from '~/trpc/react';
import type { RouterOutputs } from '~/trpc/types';
import { ROLES, roleLabel } from './roles';
import { RowError } from './row-error';

type UserAccount = RouterOutputs['users']['list'][number];
type Change = { kind: 'role'; role: Role } | { kind: 'disable' } | { kind: 'enable' };

export function UserRow({ user, self }: { user: UserAccount; self: boolean }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const { username } = user;
  const change = useMutation({
    mutationFn: (next: Change) =>
      next.kind === 'role'
        ? client.users.setRole.mutate({ username, role: next.role })
        : next.kind === 'disable'
          ? client.users.disable.mutate({ username })
          : client.users.enable.mutate({ username }),
    // Pending until the list shows the change; disabling also revoked their API tokens.
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.apiTokens.pathKey() }),
        self ? queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }) : undefined,
      ]),
  });
  const failed = (kind: 'role' | 'access') =>
    change.error !== null && (change.variables?.kind === 'role') === (kind === 'role')
      ? change.error.message
      : undefined;
  const shownRole =
    change.isPending && change.variables.kind === 'role' ? change.variables.role : user.role;
  const disabled = user.disabledAt !== null;
  return (
    <tr data-user={username}>
      <td className="mono">
        {username}
        {self ? <span className="muted"> (you)</span> : null}
      </td>
      <td>
        <select
          aria-label={`Role of ${username}`}
          value={shownRole}
          disabled={change.isPending}
          onChange={(e) => change.mutate({ kind: 'role', role: e.target.value as Role })}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
        <RowError error={failed('role')} />
      </td>
      <td>{formatTime(user.createdAt)}</td>
      <td>
        <span className={`badge ${disabled ? 'DISCONNECTED' : 'good'}`} data-testid="user-state">
          {disabled ? 'disabled' : 'enabled'}
        </span>
      </td>
      <td>
        {disabled ? (
          <button
            type="button"
            className="secondary"
            disabled={change.isPending}
            onClick={() => change.mutate({ kind: 'enable' })}
          >
            Enable
          </button>
        ) : (
          <ConfirmButton
            label="Disable"
            danger
            disabled={change.isPending}
            question={`Disable ${username}? Their sessions end and their API tokens are revoked at once, and they cannot sign in until an admin enables them (their tokens stay revoked).`}
            confirmLabel="Disable user"
            onConfirm={() => change.mutate({ kind: 'disable' })}
          />
        )}
        <RowError error={failed('access')} />
      </td>
    </tr>
  );
}
