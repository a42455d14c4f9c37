// Where the login page may send the browser after sign-in: a path on the console's own origin,
// never another site however the target is spelled.

/**
 * The same-origin path `next` names, or "/" when it names anything else. The target is resolved
 * the way the browser will resolve it (the WHATWG URL parser, which reads `\` as `/` and drops
 * tabs and newlines), so `//host`, `/\host`, `\\host`, `/%09/host` and schemes all resolve to
 * another origin and are refused; what is returned is the parsed path, not the raw text.
 */
export function returnPath(next: string | null | undefined, origin: string): string {
  if (next == null || !next.startsWith('/')) return '/';
  let target: URL;
  try {
    target = new URL(next, origin);
  } catch {
    return '/';
  }
  if (target.origin !== new URL(origin).origin) return '/';
  return `${target.pathname}${target.search}${target.hash}`;
}
