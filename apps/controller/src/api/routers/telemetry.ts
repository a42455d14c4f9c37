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

  /**
   * The service graph: every configured service as a node, every observed call as an edge with
   * req/s, success rate and p99. Edges are recorded by the calling proxy, which speaks only
   * mTLS to its peers, so their mTLS share is whole; plaintext callers outside the mesh are not edges.
   */
  graph: viewerProcedure
    .input(
      z
        .strictObject({
          windowSeconds: z.number().int().min(10).max(MAX_WINDOW_SECONDS).default(60),
        })
        .default({ windowSeconds: 60 }),
    )
    .query(async ({ ctx, input }) => {
      const [resources, edges] = await Promise.all([
        ctx.services.revisions.current(),
        ctx.services.telemetry.edges(new Date(Date.now() - input.windowSeconds * 1_000)),
      ]);
      const nodes = new Map<string, { id: string; versions: string[] }>();
      for (const r of resources) {
        if (r.kind === 'Service') {
          const id = `${r.metadata.namespace}/${r.metadata.name}`;
          nodes.set(id, { id, versions: r.spec.versions.map((v) => v.name) });
        }
      }
      for (const edge of edges) {
        for (const id of [edge.source, edge.destination])
          if (!nodes.has(id)) nodes.set(id, { id, versions: [] });
      }
      return {
        windowSeconds: input.windowSeconds,
        nodes: [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id)),
        edges: edges.map((e) => ({
          source: e.source,
          destination: e.destination,
          requests: e.requests,
          requestsPerSecond: e.requests / input.windowSeconds,
          successRate: e.requests === 0 ? null : (e.requests - e.errors) / e.requests,
          p99: e.latency.quantile(0.99),
          mtlsShare: 1,
        })),
      };
    }),
});
