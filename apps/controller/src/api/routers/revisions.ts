// Configuration history: every revision, the diff between any two, and rollback.

import { z } from 'zod';
import { diffRevisions } from '../../config/config-changes.ts';
import { NotFoundError } from '../../errors.ts';
import { propagationOf } from '../../push/propagation.ts';
import { createRouter, operatorProcedure, viewerProcedure } from '../trpc.ts';

const revisionId = z.number().int().positive();
const MAX_PAGE = 200;

export const revisionsRouter = createRouter({
  list: viewerProcedure
    .input(
      z
        .strictObject({
          limit: z.number().int().min(1).max(MAX_PAGE).default(50),
          before: revisionId.optional(),
        })
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) =>
      ctx.services.revisions.list(
        input.before === undefined
          ? { limit: input.limit }
          : { limit: input.limit, before: input.before },
      ),
    ),

  get: viewerProcedure.input(z.strictObject({ id: revisionId })).query(async ({ ctx, input }) => {
    return (await ctx.services.revisions.get(input.id)) ?? null;
  }),

  diff: viewerProcedure
    .input(z.strictObject({ from: z.number().int().nonnegative(), to: revisionId }))
    .query(async ({ ctx, input }) =>
      (await diffRevisions(ctx.services.revisions, input.from, input.to)).map((c) => ({
        key: c.key,
        action: c.action,
        before: c.before ?? null,
        after: c.after ?? null,
      })),
    ),

  rollback: operatorProcedure
    .input(z.strictObject({ id: revisionId }))
    .mutation(async ({ ctx, input }) => {
      const outcome = await ctx.services.operations.config.rollback(
        input.id,
        ctx.principal.username,
      );
      return outcome.changed
        ? { changed: true as const, revision: outcome.revision.id }
        : { changed: false as const, revision: outcome.revision?.id ?? null };
    }),

  /** For `weft apply --wait` and the console: how many affected proxies applied a revision. */
  propagation: viewerProcedure
    .input(z.strictObject({ id: revisionId }))
    .query(async ({ ctx, input }) => {
      const revision = await ctx.services.revisions.get(input.id);
      if (revision === undefined) throw new NotFoundError(`revision ${input.id}`);
      return propagationOf(revision, await ctx.services.proxies.list());
    }),
});
