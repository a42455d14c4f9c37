'use client';
// The inputs of the admin forms, each labelled and with the controller's refusal of it right
// below it; and the form's foot: its button and what no single field explains.

import { type InputHTMLAttributes, type ReactNode, useId } from 'react';
import type { Role } from '../shell/session';
import { ROLES, roleLabel } from './roles';

export interface FieldInputProps {
  readonly id: string;
  readonly 'aria-invalid': boolean;
  readonly 'aria-describedby': string;
}

export function Field({
  label,
  error,
  children,
}: {
  label: string;
  error: string | undefined;
  /** The input, given the props that tie it to its label and its error. */
  children: (props: FieldInputProps) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error !== undefined, 'aria-describedby': errorId })}
      <div id={errorId} className="form-error" data-testid="field-error">
        {error}
      </div>
    </div>
  );
}

type InputAttributes = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'id'>;

export function InputField({
  label,
  error,
  value,
  onChange,
  ...input
}: InputAttributes & {
  label: string;
  error: string | undefined;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} error={error}>
      {(props) => (
        <input {...input} {...props} value={value} onChange={(e) => onChange(e.target.value)} />
      )}
    </Field>
  );
}

export function RoleField({
  error,
  value,
  onChange,
}: {
  error: string | undefined;
  value: Role;
  onChange: (role: Role) => void;
}) {
  return (
    <Field label="Role" error={error}>
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function FormFoot({
  submit,
  pending,
  error,
}: {
  submit: string;
  pending: boolean;
  error: string | undefined;
}) {
  return (
    <>
      <div className="actions">
        <button type="submit" disabled={pending}>
          {submit}
        </button>
      </div>
      <div className="form-error" role="alert">
        {error}
      </div>
    </>
  );
}
