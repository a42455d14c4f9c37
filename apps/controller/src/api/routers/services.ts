// The service catalog: each configured Service with its upstreams, routes, objectives and the
// proxies serving it now.

import { z } from 'zod';
import { serviceDetail, serviceSummaries } from '../../catalog/services.ts';
import { NotFoundError } from '../../errors.ts';
import { type Context, createRouter, viewerProcedure } from '../trpc.ts';

/** The push's own rule (push/liveness.ts): the instances shown are those in peers' endpoints. */
const liveSince = (ctx: Context) => ctx.services.liveness.liveSince(Date.now());

export const servicesRouter = createRouter({
  list: viewerProcedure.query(async ({ ctx }) => {
    const [resources, proxies] = await Promise.all([
      ctx.services.revisions.current(),
      ctx.services.proxies.list(),
    ]);
    return serviceSummaries(resources, proxies, liveSince(ctx));
  }),

  get: viewerProcedure
    .input(
      z.strictObject({
        /** "namespace/name" */
        service: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, { error: 'must be namespace/name' }),
      }),
    )
    .query(async ({ ctx, input }) => {
      const [resources, proxies] = await Promise.all([
        ctx.services.revisions.current(),
        ctx.services.proxies.list(),
      ]);
      const detail = serviceDetail(resources, proxies, liveSince(ctx), input.service);
      if (detail === undefined) throw new NotFoundError(`Service ${input.service}`);
      return detail;
    }),
});
