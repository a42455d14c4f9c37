'use client';
// Creating a user: their name, the password they first sign in with, their role. The controller
// judges it (a name taken, a password too short) and says so next to the field.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { Role } from '~/components/shell/session';
import { useTRPC } from '~/trpc/react';
import { FormFoot, InputField, RoleField } from './field';
import { formErrorsOf } from './form-errors';

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
      <InputField
        label="Username"
        error={errors.fields.username}
        name="username"
        autoComplete="off"
        value={username}
        onChange={setUsername}
        required
      />
      <InputField
        label="Password"
        error={errors.fields.password}
        name="password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={setPassword}
        required
      />
      <RoleField error={errors.fields.role} value={role} onChange={setRole} />
      <FormFoot submit="Create user" pending={create.isPending} error={errors.form} />
      {create.isSuccess ? (
        <div className="muted" role="status">
          Created {create.data.username} ({create.data.role.toLowerCase()}).
        </div>
      ) : null}
    </form>
  );
}
