// Request targets: the forms a proxy can route, and the ones it refuses before any handler.

import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from './request-target.ts';

describe('parseRequestTarget', () => {
  it('keeps origin-form as is, split at the first "?"', () => {
    expect(parseRequestTarget('/items/1?a=1&b=?')).toEqual({
      path: '/items/1?a=1&b=?',
      pathname: '/items/1',
      search: 'a=1&b=?',
    });
    expect(parseRequestTarget('/')).toEqual({ path: '/', pathname: '/', search: '' });
  });

  it('reduces absolute-form to its path, keeping the authority', () => {
    expect(parseRequestTarget('http://catalog:8080/admin/users?x=1')).toEqual({
      path: '/admin/users?x=1',
      pathname: '/admin/users',
      search: 'x=1',
      authority: 'catalog:8080',
    });
    expect(parseRequestTarget('HTTPS://catalog')).toMatchObject({
      path: '/',
      authority: 'catalog',
    });
  });

  it('normalises the path the way policies, routes and the service will all read it', () => {
    const pathOf = (target: string) => parseRequestTarget(target)?.path;
    expect(pathOf('/a/../admin/x')).toBe('/admin/x');
    expect(pathOf('/%61dmin/%7Euser?q=%61')).toBe('/admin/~user?q=%61');
    expect(pathOf('/public/%2e%2e/admin')).toBe('/admin');
    expect(pathOf('/public/%2E%2E/%2e/admin/')).toBe('/admin/');
    expect(pathOf('/a%2fb')).toBe('/a%2Fb');
    expect(pathOf('//evil.example/x')).toBe('//evil.example/x');
    expect(pathOf('http://catalog/x/./y/../z')).toBe('/x/z');
    expect(parseRequestTarget('/../../etc')?.pathname).toBe('/etc');
  });

  it('refuses what cannot be routed', () => {
    for (const target of [
      '*',
      'catalog:443',
      '',
      'items',
      'ftp://catalog/x',
      'http://catalog:99999/',
      'http://[/',
    ]) {
      expect({ target, parsed: parseRequestTarget(target) }).toEqual({ target, parsed: undefined });
    }
  });
});
