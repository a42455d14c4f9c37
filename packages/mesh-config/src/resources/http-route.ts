// HTTPRoute: request matching and weighted backends, in the shape of the Gateway API HTTPRoute.

import { z } from 'zod';
import {
  dnsLabel,
  duration,
  headerName,
  httpMethod,
  nonEmptyArray,
  percent,
  weight,
} from '../fields.ts';
import { resourceKind, serviceRef } from './meta.ts';
import { retrySettings } from './retry.ts';

const MAX_TIMEOUT_MS = 3_600_000;
const MAX_RULES = 256;

const pathMatch = z.strictObject({
  type: z
    .enum(['Exact', 'PathPrefix'], { error: 'must be Exact or PathPrefix' })
    .default('PathPrefix'),
  value: z
    .string({ error: 'must be a path starting with "/"' })
    .startsWith('/', { error: 'must be a path starting with "/"' }),
});

const valueMatch = z
  .strictObject({
    name: headerName,
    type: z
      .enum(['Exact', 'RegularExpression'], { error: 'must be Exact or RegularExpression' })
      .default('Exact'),
    value: z.string({ error: 'must be a string' }),
  })
  .check((ctx) => {
    if (ctx.value.type !== 'RegularExpression') return;
    // The proxy compiles it; a pattern that cannot compile must fail here, not per request.
    try {
      new RegExp(ctx.value.value);
    } catch (error) {
      ctx.issues.push({
        code: 'custom',
        path: ['value'],
        input: ctx.value.value,
        message: `must be a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`,
      });
    }
  });

export const routeMatch = z.strictObject({
  path: pathMatch.optional(),
  headers: z.array(valueMatch, { error: 'must be a list' }).optional(),
  queryParams: z.array(valueMatch, { error: 'must be a list' }).optional(),
  method: httpMethod.optional(),
});
export type RouteMatch = z.infer<typeof routeMatch>;

export const backendRef = z.strictObject({
  name: dnsLabel,
  namespace: dnsLabel.optional(),
  version: dnsLabel.optional(),
  weight: weight.default(1),
});
export type BackendRef = z.infer<typeof backendRef>;

const headerValues = z.array(z.strictObject({ name: headerName, value: z.string() }), {
  error: 'must be a list',
});
const headerModifier = z.strictObject({
  set: headerValues.optional(),
  add: headerValues.optional(),
  remove: z.array(headerName, { error: 'must be a list' }).optional(),
});

const filter = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('RequestHeaderModifier'),
      requestHeaderModifier: headerModifier,
    }),
    z.strictObject({
      type: z.literal('ResponseHeaderModifier'),
      responseHeaderModifier: headerModifier,
    }),
    z.strictObject({
      type: z.literal('RequestMirror'),
      requestMirror: z.strictObject({
        backendRef: backendRef.omit({ weight: true }),
        percent: percent.default(100),
      }),
    }),
  ],
  { error: 'must have type RequestHeaderModifier, ResponseHeaderModifier or RequestMirror' },
);
export type RouteFilter = z.infer<typeof filter>;

const fault = z.strictObject({
  delay: z.strictObject({ fixedDelay: duration({ minMs: 1, maxMs: 600_000 }), percent }).optional(),
  abort: z
    .strictObject({
      httpStatus: z
        .number({ error: 'must be an HTTP status from 200 to 599' })
        .int({ error: 'must be an HTTP status from 200 to 599' })
        .min(200, { error: 'must be an HTTP status from 200 to 599' })
        .max(599, { error: 'must be an HTTP status from 200 to 599' }),
      percent,
    })
    .optional(),
});

export const routeRule = z.strictObject({
  name: dnsLabel.optional(),
  matches: z.array(routeMatch, { error: 'must be a list' }).optional(),
  backendRefs: nonEmptyArray(backendRef),
  filters: z.array(filter, { error: 'must be a list' }).optional(),
  timeouts: z
    .strictObject({
      request: duration({ minMs: 1, maxMs: MAX_TIMEOUT_MS }).optional(),
      backendRequest: duration({ minMs: 1, maxMs: MAX_TIMEOUT_MS }).optional(),
    })
    .optional(),
  retry: retrySettings.optional(),
  fault: fault.optional(),
});
export type RouteRule = z.infer<typeof routeRule>;

export const httpRouteSpec = z.strictObject({
  parentRefs: nonEmptyArray(serviceRef),
  hostnames: z
    .array(z.string({ error: 'must be a host name' }), { error: 'must be a list' })
    .optional(),
  rules: nonEmptyArray(routeRule).max(MAX_RULES, { error: `must have at most ${MAX_RULES} rules` }),
});

export const httpRouteResource = resourceKind('HTTPRoute', httpRouteSpec);
export type HTTPRouteResource = z.infer<typeof httpRouteResource>;
