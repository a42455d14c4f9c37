// How a caller reads the controller's answer: 200 with the endpoint's answer schema, or a refusal
// whose JSON body carries `error`. A 200 that does not fit is a ProtocolError naming the field.

import { z } from 'zod';
import type { AnswerOf, JsonEndpoint } from './endpoints.ts';
import { describeIssues, ProtocolError } from './protocol-error.ts';

/** Every refusal: a 4xx (or a 5xx) naming what is wrong. */
export const errorAnswer = z.object({ error: z.string() });

export type Answer<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly status: number;
      /** The refusal's `error`, or the body's first characters; undefined when it names none. */
      readonly error: string | undefined;
    };

/** Reads the answer to a call of `endpoint` from its status and body text. */
export function readAnswer<E extends JsonEndpoint<z.ZodType, z.ZodType>>(
  endpoint: E,
  status: number,
  text: string,
): Answer<AnswerOf<E>> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    if (status !== 200) return { ok: false, status, error: text.slice(0, 200) || undefined };
    throw new ProtocolError(`the answer to ${endpoint.path} is not JSON: ${text.slice(0, 80)}`, {
      cause,
    });
  }
  if (status !== 200) {
    const refusal = errorAnswer.safeParse(body);
    return { ok: false, status, error: refusal.success ? refusal.data.error : undefined };
  }
  const answer = endpoint.answer.safeParse(body);
  if (!answer.success)
    throw new ProtocolError(
      `the answer to ${endpoint.path} is malformed: ${describeIssues(answer.error)}`,
    );
  return { ok: true, value: answer.data as AnswerOf<E> };
}
