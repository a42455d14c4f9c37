import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { excessiveNesting } from './nesting-depth.ts';
import { parseYamlSource } from './yaml-source.ts';

/** Levels of collections in a parsed value. */
const depthOf = (value: unknown): number =>
  Array.isArray(value)
    ? 1 + Math.max(0, ...value.map(depthOf))
    : value !== null && typeof value === 'object'
      ? 1 + Math.max(0, ...Object.values(value).map(depthOf))
      : 0;

/** The smallest limit the text stays within. */
const bound = (text: string) => {
  for (let max = 0; ; max++) if (excessiveNesting(text, max) === undefined) return max;
};

describe('excessiveNesting', () => {
  it.each([
    ['block maps', 'a:\n  b:\n    c: 1\n'],
    ['compact sequences', '- - - - a\n      - b\n'],
    ['a sequence at its key', 'a:\n- b:\n  - c:\n    - d\n'],
    [
      'a block scalar',
      'a:\n  b:\n    c: |\n      text\n      more\n    d:\n      e:\n        f: 1\n',
    ],
    ['explicit keys', '? - - a\n: - - b\n'],
    ['flow over lines', 'a: [\n  [1,\n [2,\n [3]]]]\n'],
    ['documents', 'a: 1\n---\nb:\n  c:\n    d: 1\n'],
  ])('never counts fewer levels than %s have', (_, text) => {
    const real = Math.max(...parseAllDocuments(text).map((d) => depthOf(d.toJS())));
    expect(bound(text)).toBeGreaterThanOrEqual(real);
    expect(bound(text)).toBeLessThanOrEqual(real + 2);
  });

  it('stops at the limit on nesting meant to exhaust the stack, without reading on', () => {
    for (const text of [
      `a: ${'['.repeat(500_000)}`,
      `${'- '.repeat(500_000)}x`,
      `${'{a: '.repeat(200_000)}1`,
      Array.from({ length: 1_000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
    ]) {
      const started = performance.now();
      expect(excessiveNesting(text)).toMatchObject({ document: 1 });
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it('becomes a YAML problem with its line, and nothing is composed', () => {
    const parsed = parseYamlSource(`kind: Service\n---\nspec: ${'['.repeat(100)}`);
    expect(parsed.documents).toEqual([]);
    expect(parsed.problems).toEqual([
      { document: 2, position: { line: 3, column: 69 }, message: 'nested deeper than 64 levels' },
    ]);
  });
});
