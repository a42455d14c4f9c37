// JSON in and out of the proxy API: a bounded request body read, checked against the protocol's
// schema (a refusal naming the field when it does not fit), and an answer typed by the protocol.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnswerOf, JsonEndpoint } from '@weft/proxy-protocol';
import { z } from 'zod';
import { ProxyRefusal } from '../proxy-refusal.ts';

/** Bodies here are JSON: a CSR is under 1 KB, a telemetry batch a few hundred KB at most. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The body, or undefined when it is too large or not JSON (the schema then refuses it). */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The request body as `schema` reads it; a 400 naming every field that does not fit. */
export async function readInput<S extends z.ZodType>(
  req: IncomingMessage,
  schema: S,
): Promise<z.output<S>> {
  return parseInput(schema, await readJson(req));
}

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const input = schema.safeParse(value);
  if (!input.success) throw new ProxyRefusal(400, z.prettifyError(input.error));
  return input.data;
}

/** A 200 with the endpoint's answer. */
export function answer<E extends JsonEndpoint<z.ZodType, z.ZodType>>(
  res: ServerResponse,
  _endpoint: E,
  body: AnswerOf<E>,
): void {
  reply(res, 200, body);
}

export function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}
