// fast-check generators of what a hostile or careless client sends: any JSON, objects that are
// nearly a procedure's input, YAML token soup, mesh documents broken in one place.

import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';

/** Values that tend to sit on an edge: limits, odd numbers, enum words, markup, bad Unicode. */
const EDGES: unknown[] = [
  '',
  ' ',
  'default',
  'shop',
  'catalog',
  'v1',
  'v2',
  'v3',
  'shop/catalog',
  'a/b',
  'VIEWER',
  'OPERATOR',
  'ADMIN',
  'ROOT',
  'INTERMEDIATE',
  'LEAF',
  'session',
  'token',
  'A1B2',
  'x'.repeat(129),
  'y'.repeat(1_025),
  '<script>alert(1)</script>',
  "'; DROP TABLE Revision; --",
  '../../etc/passwd',
  'a\u0000b',
  '\uD800',
  'z\uDFFF',
  '😀 ünïcödé ‮rtl',
  '__proto__',
  'constructor',
  0,
  -0,
  1,
  -1,
  2,
  0.5,
  59,
  60,
  300,
  604_800,
  604_801,
  1_000_000,
  2 ** 31,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  1e308,
  true,
  false,
  null,
  [],
  {},
  JSON.parse('{"__proto__": {"polluted": true}}'),
  { v1: 50, v2: 50 },
];

export const edgeValue = fc.constantFrom(...EDGES);

/** Any JSON value, with strings from all of Unicode (lone surrogates included). */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
  edgeValue,
);

const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: edgeValue },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** An object with (some of) a procedure's own keys, wrong values likely, an extra key now and then. */
export function nearlyInput(keys: readonly string[]): fc.Arbitrary<unknown> {
  if (keys.length === 0) return anyJson;
  const record = fc.record(Object.fromEntries(keys.map((key) => [key, fieldValue])), {
    requiredKeys: [],
  });
  return fc.oneof(
    { weight: 6, arbitrary: record },
    {
      weight: 1,
      arbitrary: fc
        .tuple(record, fc.string({ maxLength: 8 }), fieldValue)
        .map(([base, key, value]) => ({ ...base, [key]: value })),
    },
    { weight: 1, arbitrary: anyJson },
  );
}

const YAML_TOKENS = [
  '-',
  '- ',
  ' ',
  '  ',
  '\n',
  '\r\n',
  '\t',
  ':',
  ': ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '!!str ',
  '!!binary ',
  '!custom ',
  '|',
  '>-',
  '---\n',
  '...\n',
  '# c\n',
  '"',
  "'",
  '? ',
  '<<: ',
  '%YAML 1.2\n',
  '~',
  'null',
  '0x1F',
  '1e999',
  '.nan',
  'kind',
  'Service',
  'HTTPRoute',
  'apiVersion',
  'weft.dev/v1alpha1',
  'metadata',
  'name',
  'namespace',
  'spec',
  'ports',
  'port',
  '\u0000',
  '\uFEFF',
  '\uD800',
];

/** YAML-shaped text: indicators, brackets, anchors, tags and keywords in any order. */
export const yamlSoup = fc
  .array(fc.constantFrom(...YAML_TOKENS), { maxLength: 120 })
  .map((tokens) => tokens.join(''));

/** Nesting thousands of levels deep: what exhausts a recursive parser's stack. */
export const deepYaml = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('[', '{a: ', '- ', '? ', '- [', 'a: - '),
      fc.integer({ min: 60, max: 100_000 }),
    )
    .map(([opening, levels]) => opening.repeat(levels)),
  fc
    .integer({ min: 60, max: 1_400 })
    .map((levels) => Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}a:`).join('\n')),
);

export const anyText = fc.oneof(
  { weight: 3, arbitrary: yamlSoup },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 300 }) },
  { weight: 1, arbitrary: deepYaml },
);

/** What a commit message may be: anything, storable or not. */
export const anyMessage = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'x'.repeat(1_001), 'lone \uD800', 'nul \u0000', '<script>'),
  },
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The documents of a mesh file, as plain values to break. */
export function documentsOf(yaml: string): Json[] {
  return parseAllDocuments(yaml).map((doc) => doc.toJS() as Json);
}

/** The path to one node of `value`, chosen by `choices` (each picks a child; walks stop early). */
function pickPath(value: Json, choices: readonly number[]): (string | number)[] {
  const path: (string | number)[] = [];
  let node = value;
  for (const choice of choices) {
    if (node === null || typeof node !== 'object') break;
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[choice % keys.length] as string | number;
    path.push(key);
    node = (node as Record<string | number, Json>)[key] as Json;
  }
  return path;
}

function edit(
  root: Json,
  path: readonly (string | number)[],
  change: (parent: Record<string | number, Json>, key: string | number) => void,
): Json {
  const copy = structuredClone(root);
  if (path.length === 0) return copy;
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  change(parent, path.at(-1) as string | number);
  return copy;
}

type Mutation = (doc: Json, path: (string | number)[], value: Json, key: string) => Json;
const RENAME = 3;

const MUTATIONS: Mutation[] = [
  // replace a node with anything
  (doc, path, value) =>
    edit(doc, path, (p, k) => {
      p[k] = value;
    }),
  // drop a field
  (doc, path) =>
    edit(doc, path, (p, k) => {
      if (Array.isArray(p)) p.splice(Number(k), 1);
      else delete p[k];
    }),
  // add an unknown field beside it
  (doc, path, value, key) =>
    edit(doc, path, (p) => {
      if (!Array.isArray(p)) p[key] = value;
    }),
  // a valid new name (RENAME): the same spec twice under two names, colliding or not
  (doc, path) =>
    edit(doc, path, (p, k) => {
      if (typeof p[k] === 'string') p[k] = `${p[k]}-x`;
    }),
  // a number off by a lot, or a string made wrong
  (doc, path) =>
    edit(doc, path, (p, k) => {
      const old = p[k];
      if (typeof old === 'number') p[k] = -old - 1;
      else if (typeof old === 'string') p[k] = `${old}_X!`;
    }),
];

/**
 * A mesh file broken in a few places: every document kept, some of them changed at one node
 * (replaced, dropped, an unknown field added, a value pushed out of range), sometimes one
 * document twice or one left out.
 */
export function brokenMesh(documents: readonly Json[]): fc.Arbitrary<string> {
  const change = fc.record({
    document: fc.nat(),
    choices: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    // Renames often make a valid new resource: some broken meshes should apply.
    mutation: fc.oneof(
      { weight: 1, arbitrary: fc.nat(MUTATIONS.length - 1) },
      { weight: 2, arbitrary: fc.constant(RENAME) },
    ),
    value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
    key: fc.constantFrom('extra', 'weight', 'name', 'kind', 'spec', 'port'),
  });
  return fc
    .record({
      changes: fc.array(change, { minLength: 1, maxLength: 2 }),
      subset: fc.oneof(
        fc.constant(undefined),
        fc.array(fc.nat(documents.length - 1), { minLength: 1, maxLength: 4 }),
      ),
      duplicate: fc.boolean(),
    })
    .map(({ changes, subset, duplicate }) => {
      let docs = subset === undefined ? [...documents] : subset.map((i) => documents[i] as Json);
      for (const c of changes) {
        const index = c.document % docs.length;
        const doc = docs[index] as Json;
        const mutate = MUTATIONS[c.mutation] as Mutation;
        docs[index] = mutate(doc, pickPath(doc, c.choices), c.value, c.key);
      }
      if (duplicate) docs = [...docs, docs[0] as Json];
      return docs.map((d) => stringify(d)).join('---\n');
    });
}
