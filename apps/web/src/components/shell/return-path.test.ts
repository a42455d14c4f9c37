import { describe, expect, it } from 'vitest';
import { returnPath } from './return-path';

const ORIGIN = 'https://console.example';

describe('returnPath', () => {
  it('keeps a path on the console, with its query and fragment', () => {
    expect(returnPath('/proxies', ORIGIN)).toBe('/proxies');
    expect(returnPath('/routes/shop/catalog?tab=canary#split', ORIGIN)).toBe(
      '/routes/shop/catalog?tab=canary#split',
    );
    expect(returnPath('/%2F%2Fevil.example/x', ORIGIN)).toBe('/%2F%2Fevil.example/x');
  });

  it('sends every other target to the overview', () => {
    for (const next of [
      null,
      undefined,
      '',
      '//evil.example/x',
      '/\\evil.example/x',
      '\\\\evil.example/x',
      '\\/evil.example/x',
      '/\t/evil.example/x',
      '/\n/evil.example/x',
      ' //evil.example/x',
      'https://evil.example/x',
      'javascript:alert(1)',
      'data:text/html,hi',
      'evil.example/x',
      '///evil.example/x',
    ])
      expect([next, returnPath(next, ORIGIN)]).toEqual([next, '/']);
  });
});
