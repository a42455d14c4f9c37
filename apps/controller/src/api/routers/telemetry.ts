// The mesh's own numbers: calls to a service per version over a window, with percentiles
// merged from the proxies' sketches (1% relative error), for canary comparison.

import { z } from 'zod';
import { createRouter, viewerProcedure } from '../trpc.ts';

const MAX_WINDOW_SECONDS = 7 * 86_400;

export const telemetryRouter = createRouter({
  byVersion: viewerProcedure
    .input(
      z.strictObject({
        /** "namespace/name" */
        service: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, { error: 'must be namespace/name' }),
        windowSeconds: z.number().int().min(10).max(MAX_WINDOW_SECONDS).default(300),
      }),
    )
    .query(async ({ ctx, input }) => {
      const since = new Date(Date.now() - input.windowSeconds * 1_000);
      return (await ctx.services.telemetry.byVersion(input.service, since)).map((v) => ({
        version: v.version,
        requests: v.requests,
        errors: v.errors,
        successRate: v.requests === 0 ? null : (v.requests - v.errors) / v.requests,
        requestsPerSecond: v.requests / input.windowSeconds,
        p50: v.latency.quantile(0.5),
        p90: v.latency.quantile(0.9),
        p99: v.latency.quantile(0.99),
        p999: v.latency.quantile(0.999),
      }));
    }),
});
