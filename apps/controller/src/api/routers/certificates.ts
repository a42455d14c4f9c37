// Certificates the CA issued or holds, soonest expiry first; revocation reaches proxies with
// their next snapshot.

import { z } from 'zod';
import { certificateInventory, EXPIRED_SHOWN_MS } from '../../ca/inventory.ts';
import { rotateAfterOf } from '../../ca/mesh-settings.ts';
import { text } from '../text-input.ts';
import { adminProcedure, createRouter, viewerProcedure } from '../trpc.ts';

export const certificatesRouter = createRouter({
  list: viewerProcedure
    .input(
      z
        .strictObject({
          kind: z.enum(['ROOT', 'INTERMEDIATE', 'LEAF']).optional(),
          limit: z.number().int().min(1).max(10_000).default(1_000),
        })
        .default({ limit: 1_000 }),
    )
    .query(async ({ ctx, input }) =>
      (
        await ctx.services.certificates.list(
          input.kind === undefined
            ? { limit: input.limit }
            : { kind: input.kind, limit: input.limit },
        )
      ).map(({ pem: _pem, ...certificate }) => certificate),
    ),

  /**
   * What is in force: CA certificates, each proxy's current workload certificate (those it
   * replaced by renewing are left out) and the next renewal; expired ones only for a day.
   */
  inventory: viewerProcedure.query(async ({ ctx }) => {
    const now = new Date();
    const [certificates, signing, proxies, rotateAfter] = await Promise.all([
      ctx.services.certificates.notExpiredBefore(new Date(now.getTime() - EXPIRED_SHOWN_MS)),
      ctx.services.certificates.signingAuthorities(),
      ctx.services.proxies.list(),
      rotateAfterOf(ctx.services.revisions),
    ]);
    return certificateInventory({ now, certificates, signing, proxies, rotateAfter });
  }),

  revoke: adminProcedure
    .input(
      z.strictObject({
        serial: z
          .string()
          .max(64)
          .regex(/^[0-9A-F]+$/, { error: 'must be an upper-case hex serial' }),
        reason: text().min(1).max(500),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.operations.certificates.revoke(
        input.serial,
        input.reason,
        ctx.principal.username,
      ),
    ),

  /** A new issuing intermediate under the same root; what the old one signed stays valid. */
  rotateIntermediate: adminProcedure.mutation(({ ctx }) =>
    ctx.services.operations.certificates.rotateIntermediate(ctx.principal.username),
  ),

  /** Root rotation, step one: the new root joins every proxy's trust bundle. */
  prepareRootRotation: adminProcedure.mutation(({ ctx }) =>
    ctx.services.operations.certificates.prepareRootRotation(ctx.principal.username),
  ),

  /**
   * Root rotation, step two: signing moves to the new root once every proxy is SYNCED (with
   * `force`, past DISCONNECTED ones that are gone for good).
   */
  activateRootRotation: adminProcedure
    .input(z.strictObject({ force: z.boolean().default(false) }).optional())
    .mutation(({ ctx, input }) =>
      ctx.services.operations.certificates.activateRootRotation(
        input?.force ?? false,
        ctx.principal.username,
      ),
    ),
});
