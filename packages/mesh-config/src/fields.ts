// Field schemas shared by the resource kinds, each with the message an operator should read.

import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const;

/** A DNS-1123 label: what Kubernetes accepts as a name, so resources can move between the two. */
export const dnsLabel = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(63, { error: 'must be at most 63 characters' })
  .regex(DNS_LABEL, {
    error: 'must be lowercase letters, digits and "-", starting and ending with a letter or digit',
  });

export const port = z
  .number({ error: 'must be a port number' })
  .int({ error: 'must be an integer port number' })
  .min(1, { error: 'must be a port number from 1 to 65535' })
  .max(65_535, { error: 'must be a port number from 1 to 65535' });

export const weight = z
  .number({ error: 'must be a non-negative integer' })
  .int({ error: 'must be a non-negative integer' })
  .min(0, { error: 'must be a non-negative integer' })
  .max(1_000_000, { error: 'must be at most 1000000' });

export const percent = z
  .number({ error: 'must be a percentage from 0 to 100' })
  .min(0, { error: 'must be a percentage from 0 to 100' })
  .max(100, { error: 'must be a percentage from 0 to 100' });

export const ratio = z
  .number({ error: 'must be a fraction from 0 to 1' })
  .min(0, { error: 'must be a fraction from 0 to 1' })
  .max(1, { error: 'must be a fraction from 0 to 1' });

export function positiveInt(max: number) {
  const message = `must be an integer from 1 to ${max}`;
  return z.number({ error: message }).int({ error: message }).min(1, { error: message }).max(max, {
    error: message,
  });
}

export function nonNegativeInt(max: number) {
  const message = `must be an integer from 0 to ${max}`;
  return z.number({ error: message }).int({ error: message }).min(0, { error: message }).max(max, {
    error: message,
  });
}

/** A duration string checked against bounds that make sense for the field it sits in. */
export function duration(bounds: { minMs: number; maxMs: number }) {
  const range = `from ${formatDuration(bounds.minMs)} to ${formatDuration(bounds.maxMs)}`;
  return z.string({ error: 'must be a duration such as "250ms", "5s" or "1m30s"' }).check((ctx) => {
    const ms = parseDuration(ctx.value);
    if (ms === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: 'must be a duration such as "250ms", "5s" or "1m30s"',
      });
    } else if (ms < bounds.minMs || ms > bounds.maxMs) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `must be ${range}` });
    }
  });
}

export const httpMethod = z.enum(HTTP_METHODS, {
  error: `must be one of ${HTTP_METHODS.join(', ')}`,
});

export const headerName = z
  .string({ error: 'must be a header name' })
  .regex(HEADER_NAME, { error: 'must be a valid HTTP header name' });

/** Lists that must name at least one thing, with a message saying so. */
export function nonEmptyArray<T extends z.ZodType>(item: T) {
  return z
    .array(item, { error: 'must be a list' })
    .min(1, { error: 'must list at least one entry' });
}
