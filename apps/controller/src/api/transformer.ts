// The API's superjson, with the request side checked first. superjson walks the `meta` a client
// sends recursively and trusts its shape: a string where a tree belongs recurses until the stack
// overflows, and a `regexp` annotation compiles the sender's pattern. Inputs here are plain
// JSON, so only well-formed annotations of the few types a client can produce are let through.

import superjson from 'superjson';

/** What a superjson client annotates in plain inputs: undefined fields, NaN, dates, sets, maps. */
const INPUT_TYPES = new Set(['undefined', 'number', 'Date', 'set', 'map']);
const MAX_ANNOTATION_DEPTH = 32;
const MAX_ANNOTATIONS = 10_000;
const META_KEYS = new Set(['values', 'referentialEqualities', 'v']);

export class InputEnvelopeError extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Throws unless `meta.values` is a bounded tree of `[type, children?]` leaves. */
function checkValues(values: unknown): void {
  const pending: [unknown, number][] = [[values, 0]];
  let seen = 0;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    seen += 1;
    if (seen > MAX_ANNOTATIONS || depth > MAX_ANNOTATION_DEPTH)
      throw new InputEnvelopeError('superjson meta is too large');
    if (Array.isArray(node)) {
      const [type, children, ...rest] = node;
      if (typeof type !== 'string' || !INPUT_TYPES.has(type) || rest.length > 0)
        throw new InputEnvelopeError('superjson meta names a type inputs do not take');
      if (children === undefined) continue;
      if (!isRecord(children)) throw new InputEnvelopeError('superjson meta is malformed');
      for (const child of Object.values(children)) pending.push([child, depth + 1]);
    } else if (isRecord(node)) {
      for (const child of Object.values(node)) pending.push([child, depth + 1]);
    } else {
      throw new InputEnvelopeError('superjson meta is malformed');
    }
  }
}

/** Throws unless `referentialEqualities` is lists of paths: `{path: paths}` or `[paths, {…}?]`. */
function checkEqualities(equalities: unknown): void {
  const [root, others] = Array.isArray(equalities) ? equalities : [[], equalities];
  if (others !== undefined && !isRecord(others))
    throw new InputEnvelopeError('superjson meta is malformed');
  let paths = 0;
  for (const group of [root, ...Object.values(others ?? {})]) {
    if (!Array.isArray(group) || group.some((path) => typeof path !== 'string'))
      throw new InputEnvelopeError('superjson meta is malformed');
    paths += group.length;
  }
  if (paths > MAX_ANNOTATIONS) throw new InputEnvelopeError('superjson meta is too large');
}

function deserializeInput(payload: unknown): unknown {
  if (!isRecord(payload)) throw new InputEnvelopeError('the input must be a superjson object');
  const meta = payload.meta;
  if (meta !== undefined) {
    if (!isRecord(meta) || Object.keys(meta).some((key) => !META_KEYS.has(key)))
      throw new InputEnvelopeError('superjson meta is malformed');
    if (meta.values !== undefined) checkValues(meta.values);
    if (meta.referentialEqualities !== undefined) checkEqualities(meta.referentialEqualities);
  }
  return superjson.deserialize(payload as unknown as Parameters<typeof superjson.deserialize>[0]);
}

export const apiTransformer = {
  input: {
    serialize: (value: unknown) => superjson.serialize(value),
    deserialize: deserializeInput,
  },
  output: superjson,
};
