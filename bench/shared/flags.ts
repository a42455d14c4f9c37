// Command-line values the benchmarks share, checked before anything starts: each refusal names
// the flag, what it wants and what it got.

import { parseDuration } from '@weft/mesh-config';

/** A duration such as 10s or 5m, in ms; `example` is shown in the refusal. */
export function durationFlag(
  flag: string,
  text: string | undefined,
  fallback: number,
  limits: { readonly minMs: number; readonly example: string; readonly minText?: string },
): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms < limits.minMs) {
    const least = limits.minText ?? `${limits.minMs} ms`;
    throw new Error(
      `${flag} must be a duration of at least ${least} such as ${limits.example}, got "${text}"`,
    );
  }
  return ms;
}

export function positiveIntFlag(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${flag} must be a positive integer, got "${text}"`);
  }
  return value;
}
