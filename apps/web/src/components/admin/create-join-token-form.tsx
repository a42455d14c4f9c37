'use client';
// A join token for one service: its proxies bootstrap with it (then renew with their own
// certificate). How many hours it can be used (at most 30 days) and how many proxies may use it
// (empty: any number until it expires). The secret is shown once.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTRPC } from '~/trpc/react';
import { FormFoot, InputField } from './field';
import { formErrorsOf } from './form-errors';
import { NewSecret } from './new-secret';

const DEFAULT_HOURS = '24';

export function CreateJoinTokenForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const services = useQuery(trpc.services.list.queryOptions());
  const [service, setService] = useState('');
  const [namespace, setNamespace] = useState('default');
  const [hours, setHours] = useState(DEFAULT_HOURS);
  const [maxUses, setMaxUses] = useState('');
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.tokens.pathKey() }),
    }),
  );
  const errors = formErrorsOf(create.error, ['service', 'namespace', 'expiresInHours', 'maxUses']);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      service,
      namespace,
      expiresInHours: Number(hours),
      ...(maxUses.trim() === '' ? {} : { maxUses: Number(maxUses) }),
    });
  };
  const known = services.data ?? [];
  return (
    <>
      {create.isSuccess ? (
        <NewSecret
          title={`Join token for ${create.variables.namespace}/${create.variables.service}, expires ${create.data.expiresAt.toLocaleString()}`}
          secret={create.data.token}
          hint="Give it to the proxy as WEFT_JOIN_TOKEN or its joinTokenFile."
          onDone={() => create.reset()}
        />
      ) : null}
      <form className="panel admin-form" onSubmit={submit} aria-label="Create a join token">
        <h2>Create a join token</h2>
        <InputField
          label="Service"
          error={errors.fields.service}
          name="service"
          list="known-services"
          placeholder="catalog"
          value={service}
          onChange={(value) => {
            setService(value);
            const match = known.find((s) => s.name === value);
            if (match !== undefined) setNamespace(match.namespace);
          }}
          required
        />
        <datalist id="known-services">
          {known.map((s) => (
            <option key={s.id} value={s.name}>
              {s.id}
            </option>
          ))}
        </datalist>
        <InputField
          label="Namespace"
          error={errors.fields.namespace}
          name="namespace"
          value={namespace}
          onChange={setNamespace}
          required
        />
        <InputField
          label="Expires in (hours)"
          error={errors.fields.expiresInHours}
          name="expiresInHours"
          type="number"
          min="0"
          step="any"
          value={hours}
          onChange={setHours}
          required
        />
        <InputField
          label="Max uses"
          error={errors.fields.maxUses}
          name="maxUses"
          type="number"
          min="1"
          step="1"
          placeholder="any number"
          value={maxUses}
          onChange={setMaxUses}
        />
        <FormFoot submit="Create join token" pending={create.isPending} error={errors.form} />
      </form>
    </>
  );
}
