// A refusal of one input field found past the input schema (a limit set at run time, bytes that
// were not UTF-8), made by zod itself so it reaches clients as data.zodError like any other.

import { TRPCError } from '@trpc/server';
import { z } from 'zod';

export function fieldError(field: string, message: string): TRPCError {
  const refusal = z
    .object({ [field]: z.custom(() => false, { error: message }) })
    .safeParse({ [field]: null });
  return new TRPCError({
    code: 'BAD_REQUEST',
    message: `${field}: ${message}`,
    cause: refusal.error,
  });
}
