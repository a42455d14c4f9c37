// The mesh's own numbers, merged from the proxies' sketches (1% relative error): per version
// of a service for canary comparison, as time series for charts, as golden metrics per service
// judged by its objectives, and as the service graph. Durations are ms, times epoch ms, rates
// 0..1 (null without requests).

import { z } from 'zod';
import { meshGraph, meshOverview } from '../../telemetry/overview.ts';
import { fillSteps, seriesSteps } from '../../telemetry/series.ts';
import { createRouter, viewerProcedure } from '../trpc.ts';

const MIN_SERIES_WINDOW_SECONDS = 60;
const MAX_WINDOW_SECONDS = 7 * 86_400;
const DEFAULT_SERIES_WINDOW_SECONDS = 900;
const DEFAULT_OVERVIEW_WINDOW_SECONDS = 300;
const DEFAULT_GRAPH_WINDOW_SECONDS = 60;

/** "namespace/name" */
const serviceKey = z
  .string()
  .regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, { error: 'must be namespace/name' });

const windowOf = (defaultSeconds: number, minSeconds = 10) =>
  z.number().int().min(minSeconds).max(MAX_WINDOW_SECONDS).default(defaultSeconds);

const sinceSeconds = (seconds: number) => new Date(Date.now() - seconds * 1_000);

export const telemetryRouter = createRouter({
  /**
   * Calls to a service per version over the last `windowSeconds`, or, with `after` (epoch ms,
   * e.g. when a canary change was applied), over the whole buckets of the finest tier that begin
   * at or after it: traffic from before the moment is never mixed in, whatever the bucket width.
   */
  byVersion: viewerProcedure
    .input(
      z.strictObject({
        service: serviceKey,
        windowSeconds: windowOf(300),
        after: z.number().int().min(0).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const now = Date.now();
      const bucketMs = ctx.services.telemetry.bucketSeconds * 1_000;
      const since =
        input.after === undefined
          ? sinceSeconds(input.windowSeconds)
          : new Date(Math.ceil(input.after / bucketMs) * bucketMs);
      const seconds = Math.max(1, (now - since.getTime()) / 1_000);
      return (await ctx.services.telemetry.byVersion(input.service, since)).map((v) => ({
        version: v.version,
        requests: v.requests,
        errors: v.errors,
        successRate: v.requests === 0 ? null : (v.requests - v.errors) / v.requests,
        requestsPerSecond: v.requests / seconds,
        p50: v.latency.quantile(0.5),
        p90: v.latency.quantile(0.9),
        p99: v.latency.quantile(0.99),
        p999: v.latency.quantile(0.999),
      }));
    }),

  /**
   * Calls to a service over a window as points at one step: the bucket of the finest rollup
   * tier that keeps the whole window (WEFT_TELEMETRY_TIERS; by default 10 s steps up to 1 h,
   * 1 min up to 24 h, 10 min beyond), widened to keep at most 120 points. Every step is a point
   * (zero requests where none came); the last step is still filling, so its rate reads low.
   * `source` keeps only calls from that service (one edge of the graph).
   */
  series: viewerProcedure
    .input(
      z.strictObject({
        service: serviceKey,
        windowSeconds: windowOf(DEFAULT_SERIES_WINDOW_SECONDS, MIN_SERIES_WINDOW_SECONDS),
        source: serviceKey.optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const steps = seriesSteps(Date.now(), input.windowSeconds, ctx.services.telemetry.tiers);
      const figures = await ctx.services.telemetry.series({
        destination: input.service,
        ...(input.source === undefined ? {} : { source: input.source }),
        since: new Date(steps.first),
        stepSeconds: steps.stepSeconds,
      });
      return {
        service: input.service,
        source: input.source ?? null,
        windowSeconds: input.windowSeconds,
        stepSeconds: steps.stepSeconds,
        versions: [...figures.versions]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([version, byStep]) => ({ version, points: fillSteps(byStep, steps) })),
        total: fillSteps(figures.total, steps),
      };
    }),

  /** Golden metrics of the whole mesh and per destination service, judged by its objectives. */
  overview: viewerProcedure
    .input(
      z
        .strictObject({ windowSeconds: windowOf(DEFAULT_OVERVIEW_WINDOW_SECONDS) })
        .default({ windowSeconds: DEFAULT_OVERVIEW_WINDOW_SECONDS }),
    )
    .query(async ({ ctx, input }) => {
      const [resources, edges] = await Promise.all([
        ctx.services.revisions.current(),
        ctx.services.telemetry.edges(sinceSeconds(input.windowSeconds)),
      ]);
      return meshOverview(resources, edges, input.windowSeconds);
    }),

  /**
   * The service graph: every configured service as a node with its inbound golden metrics,
   * every observed call as an edge with req/s, success rate, percentiles and mTLS share, in
   * total and per destination version. Edges are recorded by the calling proxy, which speaks
   * only mTLS to its peers, so their mTLS share is whole; plaintext callers outside the mesh
   * are not edges.
   */
  graph: viewerProcedure
    .input(
      z
        .strictObject({ windowSeconds: windowOf(DEFAULT_GRAPH_WINDOW_SECONDS) })
        .default({ windowSeconds: DEFAULT_GRAPH_WINDOW_SECONDS }),
    )
    .query(async ({ ctx, input }) => {
      const [resources, edges] = await Promise.all([
        ctx.services.revisions.current(),
        ctx.services.telemetry.edges(sinceSeconds(input.windowSeconds)),
      ]);
      return meshGraph(resources, edges, input.windowSeconds);
    }),
});
