// The proxy fleet: each workload's address, what it applied, its sync state and certificate;
// and removing a proxy that is gone for good.

import { z } from 'zod';
import { NotFoundError } from '../../errors.ts';
import { text } from '../text-input.ts';
import { createRouter, operatorProcedure, viewerProcedure } from '../trpc.ts';

export const proxiesRouter = createRouter({
  /** Each with `live`: whether it is in its peers' endpoints now (push/liveness.ts). */
  list: viewerProcedure.query(async ({ ctx }) => {
    const now = Date.now();
    return (await ctx.services.proxies.list()).map((proxy) => ({
      ...proxy,
      live: ctx.services.liveness.isLive(proxy.lastHeartbeatAt, now),
    }));
  }),

  /**
   * An operator's call, as deleting a WorkloadEntry is in Istio: the proxy leaves the registry
   * and everyone's endpoints, and its calls are refused until it bootstraps again.
   */
  remove: operatorProcedure
    .input(z.strictObject({ id: text().min(1).max(253) }))
    .mutation(async ({ ctx, input }) => {
      if (!(await ctx.services.operations.proxies.remove(input.id, ctx.principal.username)))
        throw new NotFoundError(`proxy ${input.id}`);
      return { removed: input.id };
    }),
});
