// The controller's verdict on a form, split by field: zod's refusals (data.zodError) go next to
// the field they name, a conflict (a name taken) next to the field that holds the name, and
// anything else once for the whole form.

interface ErrorShape {
  readonly message?: string;
  readonly data?: {
    readonly code?: string;
    readonly zodError?: {
      readonly formErrors?: readonly string[];
      readonly fieldErrors?: Readonly<Record<string, readonly string[] | undefined>>;
    } | null;
  };
}

export interface FormErrors {
  /** Messages by the form's own field names; only fields with a problem are present. */
  readonly fields: Readonly<Record<string, string>>;
  /** What no field of the form explains; undefined when there is nothing else to say. */
  readonly form: string | undefined;
}

const NONE: FormErrors = { fields: {}, form: undefined };

/**
 * `fields`: the form's inputs, by their names in the procedure's input. `conflictField`: where a
 * CONFLICT answer belongs (the username of a user that exists already).
 */
export function formErrorsOf(
  error: unknown,
  fields: readonly string[],
  conflictField?: string,
): FormErrors {
  if (error === null || error === undefined) return NONE;
  const shape = error as ErrorShape;
  const message = shape.message ?? String(error);
  const zod = shape.data?.zodError;
  if (zod !== null && zod !== undefined) {
    const byField: Record<string, string> = {};
    const rest = [...(zod.formErrors ?? [])];
    for (const [field, messages] of Object.entries(zod.fieldErrors ?? {})) {
      if (messages === undefined || messages.length === 0) continue;
      if (fields.includes(field)) byField[field] = messages.join('; ');
      else rest.push(`${field}: ${messages.join('; ')}`);
    }
    return { fields: byField, form: rest.length === 0 ? undefined : rest.join('; ') };
  }
  if (shape.data?.code === 'CONFLICT' && conflictField !== undefined)
    return { fields: { [conflictField]: message }, form: undefined };
  return { fields: {}, form: message };
}
