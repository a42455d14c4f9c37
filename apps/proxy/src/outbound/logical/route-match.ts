// Picks the route entry for a request: entries come in Gateway API precedence order from the
// compiler, so the first that matches wins.

import type { SnapshotMatch, SnapshotRouteEntry } from '@weft/mesh-config';

export interface MatchableRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly pathname: string;
  readonly query: URLSearchParams | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export function matchRoute(
  entries: readonly SnapshotRouteEntry[],
  request: MatchableRequest,
  regexes: RegexCache,
): SnapshotRouteEntry | undefined {
  for (const entry of entries) if (matches(entry.match, request, regexes)) return entry;
  return undefined;
}

function matches(match: SnapshotMatch, request: MatchableRequest, regexes: RegexCache): boolean {
  if (match.method !== undefined && match.method !== request.method) return false;
  if (match.path !== undefined && !pathMatches(match.path.type, match.path.value, request.pathname))
    return false;
  for (const header of match.headers) {
    const value = request.headers[header.name];
    const text = Array.isArray(value) ? value.join(',') : value;
    if (text === undefined || !valueMatches(header.type, header.value, text, regexes)) return false;
  }
  for (const param of match.queryParams) {
    const value = request.query?.get(param.name);
    if (
      value === null ||
      value === undefined ||
      !valueMatches(param.type, param.value, value, regexes)
    )
      return false;
  }
  return true;
}

/** Gateway API PathPrefix matches whole segments: "/api" matches "/api" and "/api/x", not "/apix". */
function pathMatches(type: 'Exact' | 'PathPrefix', value: string, pathname: string): boolean {
  if (type === 'Exact') return pathname === value;
  if (value === '/') return true;
  const prefix = value.endsWith('/') ? value.slice(0, -1) : value;
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

function valueMatches(
  type: 'Exact' | 'RegularExpression',
  expected: string,
  actual: string,
  regexes: RegexCache,
) {
  return type === 'Exact' ? actual === expected : regexes.get(expected).test(actual);
}

/** Compiled once per snapshot, never per request. */
export class RegexCache {
  private readonly compiled = new Map<string, RegExp>();
  get(pattern: string): RegExp {
    let regex = this.compiled.get(pattern);
    if (regex === undefined) {
      regex = new RegExp(`^(?:${pattern})$`);
      this.compiled.set(pattern, regex);
    }
    return regex;
  }
}
