// Forwards the console's tRPC calls to the controller's operator API. The controller address is
// read at run time (WEFT_CONTROLLER_URL), so one build serves any deployment. With
// WEFT_CONSOLE_SECRET it also vouches for the browser's address (src/trpc/forwarding.ts).

import type { NextRequest } from 'next/server';
import superjson from 'superjson';
import { browserCookies, forwardingSettings, vouchingHeaders } from '~/trpc/forwarding';

const DEFAULT_CONTROLLER_URL = 'http://127.0.0.1:7443';
/** Request headers the browser may send the controller; nothing else of its crosses. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'cookie', 'x-weft-csrf', 'trpc-accept'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'set-cookie', 'cache-control'];

export const dynamic = 'force-dynamic';

async function forward(request: NextRequest): Promise<Response> {
  const controller = process.env.WEFT_CONTROLLER_URL ?? DEFAULT_CONTROLLER_URL;
  const target = new URL(request.nextUrl.pathname + request.nextUrl.search, controller);
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  for (const [name, value] of vouchingHeaders(request.headers, forwardingSettings()))
    headers.set(name, value);
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: request.method === 'GET' ? null : await request.arrayBuffer(),
      redirect: 'manual',
    });
  } catch {
    return unreachable(request, controller);
  }
  const responseHeaders = new Headers();
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    if (name === 'set-cookie') {
      for (const cookie of browserCookies(upstream.headers.getSetCookie(), request.headers))
        responseHeaders.append(name, cookie);
    } else {
      const value = upstream.headers.get(name);
      if (value !== null) responseHeaders.set(name, value);
    }
  }
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}

/** A tRPC-shaped error per called procedure, so the console says what is wrong. */
function unreachable(request: NextRequest, controller: string): Response {
  const error = {
    error: superjson.serialize({
      message: `the controller at ${controller} cannot be reached`,
      code: -32_603,
      data: { code: 'BAD_GATEWAY', httpStatus: 502 },
    }),
  };
  const procedures = request.nextUrl.pathname.split('/').pop()?.split(',') ?? [];
  const batched = request.nextUrl.searchParams.get('batch') === '1';
  return Response.json(batched ? procedures.map(() => error) : error, { status: 502 });
}

export { forward as GET, forward as POST };
