// The proxy fleet: each workload's address, what it applied, its sync state and certificate.

import { createRouter, viewerProcedure } from '../trpc.ts';

export const proxiesRouter = createRouter({
  list: viewerProcedure.query(({ ctx }) => ctx.services.proxies.list()),
});
