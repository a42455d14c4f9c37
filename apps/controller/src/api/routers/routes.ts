// Routes: the HTTPRoutes in force, summarized for the console, and the canary slider that sets
// version weights on a live one.

import { z } from 'zod';
import { routeSummaries, routeSummary } from '../../catalog/routes.ts';
import { NotFoundError } from '../../errors.ts';
import { createRouter, operatorProcedure, viewerProcedure } from '../trpc.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const routesRouter = createRouter({
  list: viewerProcedure.query(async ({ ctx }) =>
    routeSummaries(await ctx.services.revisions.current()),
  ),

  get: viewerProcedure
    .input(
      z.strictObject({
        namespace: z.string().regex(DNS_LABEL).default('default'),
        name: z.string().regex(DNS_LABEL),
      }),
    )
    .query(async ({ ctx, input }) => {
      const route = (await ctx.services.revisions.current()).find(
        (r) =>
          r.kind === 'HTTPRoute' &&
          r.metadata.namespace === input.namespace &&
          r.metadata.name === input.name,
      );
      if (route?.kind !== 'HTTPRoute')
        throw new NotFoundError(`HTTPRoute/${input.namespace}/${input.name}`);
      return { ...routeSummary(route), resource: route };
    }),

  setCanaryWeights: operatorProcedure
    .input(
      z.strictObject({
        namespace: z.string().regex(DNS_LABEL).default('default'),
        route: z.string().regex(DNS_LABEL),
        weights: z
          .record(z.string().regex(DNS_LABEL), z.number().int().min(0).max(1_000_000))
          .refine((w) => Object.keys(w).length > 0, { error: 'name at least one version' }),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const outcome = await ctx.services.operations.config.setCanaryWeights(
        input,
        ctx.principal.username,
      );
      return { changed: outcome.changed, revision: outcome.revision?.id ?? null };
    }),
});
