'use client';
// An API token for the signed-in admin (for the CLI or automation): a name, how many hours it
// lives (empty: the controller's default; never past WEFT_API_TOKEN_MAX_TTL) and its role (at
// most the admin's own). The secret is shown once.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Role, useSession } from '~/components/shell/session';
import { useTRPC } from '~/trpc/react';
import { Field } from './field';
import { formErrorsOf } from './form-errors';
import { NewSecret } from './new-secret';
import { ROLES, roleLabel } from './roles';

export function CreateApiTokenForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useSession();
  const [name, setName] = useState('');
  const [hours, setHours] = useState('');
  const [role, setRole] = useState<Role>(me.role);
  const create = useMutation(
    trpc.apiTokens.create.mutationOptions({
      onSuccess: () => {
        setName('');
        setHours('');
        return queryClient.invalidateQueries({ queryKey: trpc.apiTokens.pathKey() });
      },
    }),
  );
  const errors = formErrorsOf(create.error, ['name', 'expiresInHours', 'role']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      name,
      role,
      ...(hours.trim() === '' ? {} : { expiresInHours: Number(hours) }),
    });
  };
  return (
    <>
      {create.isSuccess ? (
        <NewSecret
          title={`API token "${create.data.name}" (${create.data.role.toLowerCase()}), expires ${create.data.expiresAt.toLocaleString()}`}
          secret={create.data.token}
          hint="Use it as WEFT_TOKEN for the CLI, or as a Bearer token."
          onDone={() => create.reset()}
        />
      ) : null}
      <form className="panel admin-form" onSubmit={submit} aria-label="Create an API token">
        <h2>Create an API token for yourself</h2>
        <Field label="Name" error={errors.fields.name}>
          {(props) => (
            <input
              {...props}
              name="name"
              placeholder="ci-deploy"
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
            />
          )}
        </Field>
        <Field label="Expires in (hours)" error={errors.fields.expiresInHours}>
          {(props) => (
            <input
              {...props}
              name="expiresInHours"
              type="number"
              min="0"
              step="any"
              placeholder="controller default"
              value={hours}
              onChange={(e) => setHours(e.target.value)}
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
            Create token
          </button>
        </div>
        <div className="form-error" role="alert">
          {errors.form}
        </div>
      </form>
    </>
  );
}
