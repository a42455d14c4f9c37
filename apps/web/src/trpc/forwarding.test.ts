import { describe, expect, it } from 'vitest';
import { browserCookies, vouchingHeaders } from './forwarding';

const SECRET = 'a console secret of at least 32 characters';

describe('vouchingHeaders', () => {
  const headers = (forwardedFor: string) => new Headers({ 'x-forwarded-for': forwardedFor });

  it('vouches for the rightmost X-Forwarded-For entry only where it can be believed, and only with the secret', () => {
    const trusted = { consoleSecret: SECRET, forwardedHeadersTrusted: true };
    expect(vouchingHeaders(headers('198.51.100.7'), trusted)).toEqual([
      ['x-weft-console-secret', SECRET],
      ['x-weft-client-address', '198.51.100.7'],
    ]);
    expect(vouchingHeaders(headers('203.0.113.9, 198.51.100.7'), trusted)[1]).toEqual([
      'x-weft-client-address',
      '198.51.100.7',
    ]);
    expect(vouchingHeaders(headers('not an address'), trusted)).toEqual([]);
    expect(vouchingHeaders(new Headers(), trusted)).toEqual([]);
    expect(
      vouchingHeaders(headers('198.51.100.7'), { ...trusted, forwardedHeadersTrusted: false }),
    ).toEqual([]);
    expect(
      vouchingHeaders(headers('198.51.100.7'), { ...trusted, consoleSecret: undefined }),
    ).toEqual([]);
  });
});

describe('browserCookies', () => {
  const cookies = [
    'weft_session=s; HttpOnly; SameSite=Strict; Path=/',
    'weft_csrf=t; Path=/; Secure',
  ];

  it('marks cookies Secure when the browser came over https, and leaves them alone otherwise', () => {
    expect(browserCookies(cookies, new Headers({ 'x-forwarded-proto': 'https' }))).toEqual([
      'weft_session=s; HttpOnly; SameSite=Strict; Path=/; Secure',
      'weft_csrf=t; Path=/; Secure',
    ]);
    expect(browserCookies(cookies, new Headers({ 'x-forwarded-proto': 'http' }))).toEqual(cookies);
    expect(browserCookies(cookies, new Headers())).toEqual(cookies);
  });
});
