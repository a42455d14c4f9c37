'use client';
// An API token for the signed-in admin (for the CLI or automation): a name, how many hours it
// lives (empty: the controller's default; never past WEFT_API_TOKEN_MAX_TTL) and its role (at
// most the admin's own). The secret is shown once.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Role, useSession } from '~/components/shell/session';
import { useTRPC } from '~/trpc/react';
import { FormFoot, InputField, RoleField } from './field';
import { formErrorsOf } from './form-errors';
import { NewSecret } from './new-secret';

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
        <InputField
          label="Name"
          error={errors.fields.name}
          name="name"
          placeholder="ci-deploy"
          value={name}
          onChange={setName}
          required
        />
        <InputField
          label="Expires in (hours)"
          error={errors.fields.expiresInHours}
          name="expiresInHours"
          type="number"
          min="0"
          step="any"
          placeholder="controller default"
          value={hours}
          onChange={setHours}
        />
        <RoleField error={errors.fields.role} value={role} onChange={setRole} />
        <FormFoot submit="Create token" pending={create.isPending} error={errors.form} />
      </form>
    </>
  );
}
