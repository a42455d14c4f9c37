'use client';
// One labelled input of an admin form, with the controller's refusal of it right below it.

import { type ReactNode, useId } from 'react';

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
