// The request target (RFC 9112 §3.2) read once, the same way in both directions: origin-form as
// is, absolute-form reduced to its path and query (keeping the authority for the HTTP-proxy
// port). Anything else cannot be routed, and is refused before it reaches a handler.

export interface RequestTarget {
  /** Path and query, as sent upstream. */
  readonly path: string;
  /** The path without the query: what routes and access policies match. */
  readonly pathname: string;
  /** The query without its "?", or "". */
  readonly search: string;
  /** host[:port] of an absolute-form target; undefined for origin-form. */
  readonly authority?: string;
}

const ABSOLUTE_FORM = /^https?:\/\//i;

/** undefined for asterisk-form, authority-form, other schemes, or a URL that does not parse. */
export function parseRequestTarget(target: string): RequestTarget | undefined {
  if (target.startsWith('/')) return split(target);
  if (!ABSOLUTE_FORM.test(target)) return undefined;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  if (url.host === '') return undefined;
  return { ...split(`${url.pathname}${url.search}`), authority: url.host };
}

/** Splits off the query and normalises the path (RFC 3986 §6.2.2), so that access policies, routes
 * and the service all see one spelling: `/a/../admin` and `/%61dmin` are `/admin`, as in Envoy's
 * normalize_path. Encoded reserved characters (`%2F`) keep their meaning and stay encoded. */
function split(target: string): RequestTarget {
  const query = target.indexOf('?');
  const pathname = normalizePath(query === -1 ? target : target.slice(0, query));
  const search = query === -1 ? '' : target.slice(query + 1);
  return { path: query === -1 ? pathname : `${pathname}?${search}`, pathname, search };
}

const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/g;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
/** Any host will do: only the path of the parsed URL is read. Prefixing the raw path to a whole
 * origin keeps "//x/y" a path rather than a protocol-relative URL. */
const PLACEHOLDER_ORIGIN = 'http://normalize.invalid';

function normalizePath(pathname: string): string {
  const decoded = pathname.replace(PERCENT_ESCAPE, (sequence) => {
    const char = String.fromCharCode(Number.parseInt(sequence.slice(1), 16));
    return UNRESERVED.test(char) ? char : sequence.toUpperCase();
  });
  // The WHATWG URL parser removes dot segments, including their %2e spellings.
  return new URL(`${PLACEHOLDER_ORIGIN}${decoded}`).pathname;
}
