// Policies: the TrafficPolicies and AccessPolicies in force, read-only. They change, like every
// resource, through config.applyYaml, so each change is one validated, audited revision.

import { z } from 'zod';
import { POLICY_KINDS, policySummaries } from '../../catalog/policies.ts';
import { NotFoundError } from '../../errors.ts';
import { createRouter, viewerProcedure } from '../trpc.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const kind = z.enum(POLICY_KINDS);

export const policiesRouter = createRouter({
  list: viewerProcedure
    .input(
      z
        .strictObject({
          kind: kind.optional(),
          /** Only the policies targeting this service, "namespace/name". */
          service: z
            .string()
            .regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, { error: 'must be namespace/name' })
            .optional(),
        })
        .default({}),
    )
    .query(async ({ ctx, input }) =>
      policySummaries(await ctx.services.revisions.current(), input),
    ),

  get: viewerProcedure
    .input(
      z.strictObject({
        kind,
        namespace: z.string().regex(DNS_LABEL).default('default'),
        name: z.string().regex(DNS_LABEL),
      }),
    )
    .query(async ({ ctx, input }) => {
      const resources = await ctx.services.revisions.current();
      const resource = resources.find(
        (r) =>
          r.kind === input.kind &&
          r.metadata.namespace === input.namespace &&
          r.metadata.name === input.name,
      );
      const [summary] = resource === undefined ? [] : policySummaries([resource]);
      if (resource === undefined || summary === undefined)
        throw new NotFoundError(`${input.kind}/${input.namespace}/${input.name}`);
      return { ...summary, resource };
    }),
});
