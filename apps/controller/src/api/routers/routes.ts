// Routes: the canary slider sets version weights on a live HTTPRoute.

import { z } from 'zod';
import { setCanaryWeights } from '../../config/config-changes.ts';
import { createRouter, operatorProcedure } from '../trpc.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const routesRouter = createRouter({
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
      const outcome = await setCanaryWeights(ctx.services.revisions, input, ctx.principal.username);
      if (outcome.changed) await ctx.services.publisher.publish();
      return { changed: outcome.changed, revision: outcome.revision?.id ?? null };
    }),
});
