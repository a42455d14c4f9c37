// Request bodies are checked as the bytes they arrived as, before anything decodes them: the
// tRPC adapter would decode with U+FFFD in place of bytes that are not UTF-8, and a replacement
// character the user really sent could no longer be told from one made of a bad byte. A bad byte
// is refused naming the input field it sits in and its line and column in that field's text.

import type { IncomingMessage } from 'node:http';
import { TRPCError } from '@trpc/server';
import { MeshConfigError } from '@weft/mesh-config';
import { fieldError } from './field-error.ts';
import { describeByte, firstInvalidUtf8, positionAfter } from './utf8.ts';

/** Requests whose body was refused here; the context refuses the call with this error. */
const refused = new WeakMap<IncomingMessage, TRPCError>();

type WithBody = IncomingMessage & { body?: string };

/**
 * Reads the body of a call (up to `maxBytes`) and gives it to tRPC as text; a body that is not
 * UTF-8, or too large, is remembered as refused. Resolves once tRPC can take the request.
 */
export function readUtf8Body(req: IncomingMessage, maxBytes: number): Promise<void> {
  if (req.method === 'GET' || req.method === 'HEAD') return Promise.resolve();
  const refuse = (error: TRPCError) => {
    refused.set(req, error);
    (req as WithBody).body = '';
  };
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    refuse(new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }));
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onEnd);
      req.off('close', onEnd);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size <= maxBytes) return;
      refuse(new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }));
      done();
    };
    const onEnd = () => {
      const body = Buffer.concat(chunks);
      const bad = firstInvalidUtf8(body);
      if (bad === undefined) (req as WithBody).body = body.toString('utf8');
      else refuse(invalidBody(body, bad));
      done();
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onEnd);
    // A caller gone mid-body: tRPC sees the request aborted, as it would have without this.
    req.once('close', onEnd);
  });
}

/** Wraps createContext so a call whose body was refused here fails with that refusal. */
export function refusingBadBodies<O extends { req: IncomingMessage }, C>(
  createContext: (options: O) => Promise<C>,
): (options: O) => Promise<C> {
  return (options) => {
    const error = refused.get(options.req);
    if (error !== undefined) return Promise.reject(error);
    return createContext(options);
  };
}

/** Where the bad byte is: inside which JSON string (the field), at which line and column of it. */
function invalidBody(body: Buffer, bad: number): TRPCError {
  const before = body.subarray(0, bad).toString('utf8');
  const what = describeByte(body[bad] as number);
  const place = stringAround(before);
  if (place === undefined) {
    const { line, column } = positionAfter(before);
    return new TRPCError({
      code: 'BAD_REQUEST',
      message: `request body: line ${line}, column ${column}: ${what}`,
    });
  }
  const { line, column } = positionAfter(place.textBefore);
  const where = `line ${line}, column ${column}: ${what}`;
  if (place.field === 'yaml') {
    const file = fileNamed(body) ?? 'request.yaml';
    return new TRPCError({
      code: 'BAD_REQUEST',
      message: `${file}: ${where}`,
      cause: new MeshConfigError([{ file, line, column, path: '', message: what }]),
    });
  }
  const field = place.field ?? 'input';
  return fieldError(field, where);
}

/** When `before` ends inside a JSON string: that string's text so far and the key it is for. */
function stringAround(
  before: string,
): { field: string | undefined; textBefore: string } | undefined {
  let start = -1;
  let escaped = false;
  let lastString = '';
  let key: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const ch = before[i];
    if (start >= 0) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') {
        lastString = before.slice(start, i + 1);
        start = -1;
      }
    } else if (ch === '"') start = i;
    else if (ch === ':') key = parsedString(lastString);
    else if (ch === ',' || ch === '{' || ch === '[') key = undefined;
  }
  if (start < 0) return undefined;
  // A string cut inside an escape is cut before it.
  const text = before.slice(start + 1).replace(/\\(u[0-9a-fA-F]{0,3})?$/, '');
  return { field: key, textBefore: parsedString(`"${text}"`) ?? text };
}

function parsedString(json: string): string | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The `file` the request names for its YAML, read past the bad bytes (they cannot be in it). */
function fileNamed(body: Buffer): string | undefined {
  try {
    const file = (JSON.parse(body.toString('utf8')) as { json?: { file?: unknown } }).json?.file;
    return typeof file === 'string' ? file : undefined;
  } catch {
    return undefined;
  }
}
