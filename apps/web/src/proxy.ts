// Every page of the console gets a Content Security Policy with a fresh script nonce: Next.js
// reads the nonce from the request's policy and puts it on its own scripts, so nothing else
// runs — an injected <script> or inline handler is refused, and no site may frame the console.
// The other security headers, the same for every response, are in next.config.ts.

import { type NextRequest, NextResponse } from 'next/server';

export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64');
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV !== 'production');
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

/**
 * Scripts: only those carrying this response's nonce, and what they load ('strict-dynamic':
 * Next's chunks). Styles allow inline because React and recharts set style attributes, which
 * nonces cannot cover. Calls go to the console's own origin only (/trpc). The dev server also
 * needs eval for its hot reloading.
 */
export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const config = {
  // Pages only: not the API forwarder nor Next's static files (they carry no scripts of ours).
  matcher: [
    {
      source: '/((?!trpc/|_next/static|_next/image|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
