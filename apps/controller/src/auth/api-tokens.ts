// How long API tokens live. Every token expires: a token for automation is renewed on a schedule,
// as Kubernetes' bound service-account tokens and Kuma's user tokens (`--valid-for`) are, so a
// leaked one stops working by itself. The default (30 days, GitHub's default for personal tokens)
// is what `weft login` gets; the maximum (90 days) caps any token asked for. Both are controller
// settings (WEFT_API_TOKEN_TTL / WEFT_API_TOKEN_MAX_TTL), like kube-apiserver's
// --service-account-max-token-expiration, not a stored setting: a stolen admin token must not be
// able to lift the cap; only whoever runs the controller can.

/** The lifetime of a token when none is asked for (sign-in with mode "token", `weft login`). */
export const DEFAULT_API_TOKEN_TTL_MS = 30 * 86_400_000;
/** The longest lifetime any token may be given. */
export const DEFAULT_API_TOKEN_MAX_TTL_MS = 90 * 86_400_000;

export interface ApiTokenLifetimes {
  readonly defaultTtlMs: number;
  readonly maxTtlMs: number;
}
