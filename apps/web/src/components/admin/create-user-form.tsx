'use client';
// Creating a user: their name, the password they first sign in with, their role. The controller
// judges it (a name taken, a password too short) and says so next to the field.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { Role } from '~/components/shell/session';
import { useTRPC } from '~/trpc/react';
import { Field } from './field';
import { formErrorsOf } from './form-errors';
import { ROLES, roleLabel } from './roles';

export function CreateUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('VIEWER');
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: () => {
        setUsername('');
        setPassword('');
        return queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
      },
    }),
  );
  const errors = formErrorsOf(create.error, ['username', 'password', 'role'], 'username');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ username, password, role });
  };
  return (
    <form className="panel admin-form" onSubmit={submit} aria-label="Create a user">
      <h2>Create a user</h2>
      <Field label="Username" error={errors.fields.username}>
        {(props) => (
          <input
            {...props}
            name="username"
            autoComplete="off"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        )}
      </Field>
      <Field label="Password" error={errors.fields.password}>
        {(props) => (
          <input
            {...props}
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        )}
      </Field>
      <Field label="Role" error={errors.fields.role}>
        {(props) => (
          <select {...props} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          Create user
        </button>
      </div>
      <div className="form-error" role="alert">
        {errors.form}
      </div>
      {create.isSuccess ? (
        <div className="muted" role="status">
          Created {create.data.username} ({create.data.role.toLowerCase()}).
        </div>
      ) : null}
    </form>
  );
}
