// Rollouts: start a canary that moves step by step on the mesh's own telemetry, watch it, and
// pause, resume, promote or abort it.

import { z } from 'zod';
import { viewOf } from '../../rollouts/rollout-view.ts';
import type { OperatorCommand } from '../../rollouts/state-machine.ts';
import { createRouter, operatorProcedure, viewerProcedure } from '../trpc.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_PAGE = 200;

const label = z.string().regex(DNS_LABEL, { error: 'must be a DNS label, e.g. catalog or v2' });
const target = z.strictObject({
  namespace: label.default('default'),
  service: label,
});

function commandProcedure(command: OperatorCommand) {
  return operatorProcedure
    .input(target)
    .mutation(async ({ ctx, input }) =>
      viewOf(
        await ctx.services.operations.rollouts.command(input, command, ctx.principal.username),
      ),
    );
}

export const rolloutsRouter = createRouter({
  /** Runs, newest first. */
  list: viewerProcedure
    .input(
      z
        .strictObject({
          namespace: label.optional(),
          service: label.optional(),
          limit: z.number().int().min(1).max(MAX_PAGE).default(50),
        })
        .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }) =>
      (
        await ctx.services.operations.rollouts.list({
          limit: input.limit,
          ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
          ...(input.service === undefined ? {} : { service: input.service }),
        })
      ).map(viewOf),
    ),

  /** The service's active run, else its latest. */
  status: viewerProcedure
    .input(target)
    .query(async ({ ctx, input }) =>
      viewOf(await ctx.services.operations.rollouts.status(input.namespace, input.service)),
    ),

  start: operatorProcedure
    .input(target.extend({ canaryVersion: label.optional() }))
    .mutation(async ({ ctx, input }) =>
      viewOf(
        await ctx.services.operations.rollouts.start(
          {
            namespace: input.namespace,
            service: input.service,
            ...(input.canaryVersion === undefined ? {} : { canaryVersion: input.canaryVersion }),
          },
          ctx.principal.username,
        ),
      ),
    ),

  pause: commandProcedure('pause'),
  resume: commandProcedure('resume'),
  /** Skips the remaining steps: the canary takes 100%. */
  promote: commandProcedure('promote'),
  /** Back to stable at 100%; the run ends Aborted. */
  abort: commandProcedure('abort'),
});
