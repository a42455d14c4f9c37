// The controller's environment, validated at boot: every setting named, typed and defaulted.

import { formatDuration, parseDuration } from '@weft/mesh-config';
import { z } from 'zod';
import { DEFAULT_API_TOKEN_MAX_TTL_MS, DEFAULT_API_TOKEN_TTL_MS } from './auth/api-tokens.ts';
import { usernameSchema } from './auth/usernames.ts';
import { DEFAULT_DATABASE_FILE } from './db/database.ts';
import { DEFAULT_PROXY_REMOVE_AFTER_MS } from './operations/proxies.ts';
import { DEFAULT_ROLLOUT_TICK_MS } from './rollouts/runner.ts';
import { DEFAULT_TELEMETRY_TIERS, parseTiers, TierSpecError } from './telemetry/tiers.ts';

export const DEFAULT_API_PORT = 7443;
export const DEFAULT_PROXY_API_PORT = 7444;
export const DEFAULT_API_ADDRESS = '127.0.0.1';
/** Operator sessions last a working day; API tokens last until revoked or their own expiry. */
export const SESSION_LIFETIME_MS = 12 * 3_600_000;

const port = z.coerce.number().int().min(0).max(65_535);
/** A positive duration such as "720h" or "30d", in milliseconds. */
const duration = (fallbackMs: number) =>
  z
    .string()
    .default(formatDuration(fallbackMs))
    .transform((text, context) => {
      const ms = parseDuration(text);
      if (ms !== undefined && ms > 0) return ms;
      context.addIssue({
        code: 'custom',
        message: `must be a duration such as 720h, got "${text}"`,
      });
      return z.NEVER;
    });

export const envSchema = z.object({
  WEFT_DB: z.string().min(1).default(DEFAULT_DATABASE_FILE),
  WEFT_API_ADDRESS: z.string().min(1).default(DEFAULT_API_ADDRESS),
  WEFT_API_PORT: port.default(DEFAULT_API_PORT),
  /** Where proxies bootstrap and watch, over TLS; reachable by every proxy. */
  WEFT_PROXY_API_ADDRESS: z.string().min(1).default(DEFAULT_API_ADDRESS),
  WEFT_PROXY_API_PORT: port.default(DEFAULT_PROXY_API_PORT),
  /** base64 of 32 bytes sealing the CA keys; without it a key file is kept beside the database. */
  WEFT_CA_KEY: z.string().min(1).optional(),
  /** First start only: creates this admin when no user exists yet. */
  WEFT_ADMIN_USERNAME: usernameSchema.optional(),
  WEFT_ADMIN_PASSWORD: z.string().min(12, { error: 'must be at least 12 characters' }).optional(),
  /**
   * Shared with the console: a request carrying it may tell the browser's address (the sign-in
   * throttle counts by it). Unset, the console is an ordinary client with one address for all.
   */
  WEFT_CONSOLE_SECRET: z
    .string()
    .min(32, { error: 'must be at least 32 characters (e.g. openssl rand -base64 32)' })
    .optional(),
  /** How often active rollouts are advanced (ms). */
  WEFT_ROLLOUT_TICK_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(DEFAULT_ROLLOUT_TICK_MS),
  /**
   * A proxy not heard from for this long (ms) leaves the registry by itself: registered and
   * never connected, or gone. At least a minute outside tests' reach is sensible; 1 s is allowed.
   */
  WEFT_PROXY_REMOVE_AFTER_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(365 * 86_400_000)
    .default(DEFAULT_PROXY_REMOVE_AFTER_MS),
  /**
   * Telemetry rollup tiers, finest first, as bucket:retention pairs ("10s:1h,1m:24h,10m:7d"):
   * each bucket a larger multiple of the one before, each retention longer.
   */
  WEFT_TELEMETRY_TIERS: z
    .string()
    .default(DEFAULT_TELEMETRY_TIERS)
    .transform((text, context) => {
      try {
        return parseTiers(text);
      } catch (error) {
        if (!(error instanceof TierSpecError)) throw error;
        context.addIssue({
          code: 'custom',
          message: `${error.message} (got "${text}"; the default is "${DEFAULT_TELEMETRY_TIERS}")`,
        });
        return z.NEVER;
      }
    }),
  /** How long a token made at sign-in (`weft login`) lives; see src/auth/api-tokens.ts. */
  WEFT_API_TOKEN_TTL: duration(DEFAULT_API_TOKEN_TTL_MS),
  /** The longest lifetime any API token may be given. */
  WEFT_API_TOKEN_MAX_TTL: duration(DEFAULT_API_TOKEN_MAX_TTL_MS),
});

/** Settings judged together. */
const checkedEnvSchema = envSchema.refine(
  (env) => env.WEFT_API_TOKEN_TTL <= env.WEFT_API_TOKEN_MAX_TTL,
  { path: ['WEFT_API_TOKEN_TTL'], error: 'must not be longer than WEFT_API_TOKEN_MAX_TTL' },
);

export type ControllerEnv = z.infer<typeof envSchema>;

/** Reads the environment; a bad value is reported by name, and the process does not start. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): ControllerEnv {
  const result = checkedEnvSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid controller environment:\n${lines.join('\n')}`);
}
