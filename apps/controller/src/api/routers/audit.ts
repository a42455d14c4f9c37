// The audit log, newest first.

import { z } from 'zod';
import { text } from '../text-input.ts';
import { createRouter, viewerProcedure } from '../trpc.ts';

export const auditRouter = createRouter({
  list: viewerProcedure
    .input(
      z
        .strictObject({
          limit: z.number().int().min(1).max(500).default(100),
          before: z.number().int().positive().optional(),
          target: text().max(512).optional(),
        })
        .default({ limit: 100 }),
    )
    .query(({ ctx, input }) =>
      ctx.services.audit.list({
        limit: input.limit,
        ...(input.before === undefined ? {} : { before: input.before }),
        ...(input.target === undefined ? {} : { target: input.target }),
      }),
    ),
});
