// Each file in invalid/ is a broken configuration whose "# expect:" lines are the exact report.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, loadMeshConfig } from '../src/index.ts';

const HERE = import.meta.dirname;
const CASES = readdirSync(join(HERE, 'invalid'))
  .filter((name) => name.endsWith('.yaml'))
  .sort();
const base = { file: 'base.yaml', text: readFileSync(join(HERE, 'base.yaml'), 'utf8') };

describe('invalid documents', () => {
  it('has a case for every kind and every semantic check', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('%s is rejected with the expected errors', (name) => {
    const text = readFileSync(join(HERE, 'invalid', name), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
    expect(expected.length, 'a case states its expected errors').toBeGreaterThan(0);

    const result = loadMeshConfig([base, { file: name, text }]);

    expect(result.issues.map(formatIssue)).toEqual(expected);
  });
});
