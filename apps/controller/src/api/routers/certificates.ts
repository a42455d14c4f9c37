// Certificates the CA issued or holds, soonest expiry first; revocation reaches proxies with
// their next snapshot.

import { z } from 'zod';
import { certificateInventory, EXPIRED_SHOWN_MS } from '../../ca/inventory.ts';
import { rotateAfterOf, trustDomainOf } from '../../ca/mesh-settings.ts';
import { NotFoundError, PreconditionError } from '../../errors.ts';
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
    .mutation(async ({ ctx, input }) => {
      if (!(await ctx.services.certificates.revoke(input.serial, input.reason, new Date()))) {
        throw new NotFoundError(`an unrevoked certificate with serial ${input.serial}`);
      }
      await ctx.services.audit.record({
        actor: ctx.principal.username,
        action: 'certificates.revoke',
        target: `certificate/${input.serial}`,
        outcome: 'OK',
        detail: { reason: input.reason },
      });
      await ctx.services.publisher.publish();
      return { revoked: input.serial };
    }),

  /** A new issuing intermediate under the same root; what the old one signed stays valid. */
  rotateIntermediate: adminProcedure.mutation(async ({ ctx }) => {
    const rotated = await ctx.services.authority.rotateIntermediate(
      await trustDomainOf(ctx.services.revisions),
    );
    await ctx.services.audit.record({
      actor: ctx.principal.username,
      action: 'certificates.rotateIntermediate',
      target: `certificate/${rotated.current}`,
      outcome: 'OK',
      detail: rotated,
    });
    return rotated;
  }),

  /** Root rotation, step one: the new root joins every proxy's trust bundle. */
  prepareRootRotation: adminProcedure.mutation(async ({ ctx }) => {
    const prepared = await ctx.services.authority.prepareRootRotation(
      await trustDomainOf(ctx.services.revisions),
    );
    await ctx.services.trustChanged();
    await ctx.services.audit.record({
      actor: ctx.principal.username,
      action: 'certificates.prepareRootRotation',
      target: `certificate/${prepared.root}`,
      outcome: 'OK',
      detail: prepared,
    });
    return prepared;
  }),

  /**
   * Root rotation, step two: signing moves to the new root, once every proxy trusts it. A proxy
   * trusts it once it applied a snapshot sent after step one: SYNCED. A DISCONNECTED one may
   * still be serving on an older bundle and would refuse every peer with a new certificate, so it
   * holds the activation back too, unless `force` says it is gone for good.
   */
  activateRootRotation: adminProcedure
    .input(z.strictObject({ force: z.boolean().default(false) }).optional())
    .mutation(async ({ ctx, input }) => {
      const force = input?.force ?? false;
      const behind = (await ctx.services.proxies.list()).filter((p) => p.syncState !== 'SYNCED');
      const blocking = behind.filter((p) => !force || p.syncState !== 'DISCONNECTED');
      if (blocking.length > 0) {
        const disconnectedOnly = blocking.every((p) => p.syncState === 'DISCONNECTED');
        throw new PreconditionError(
          `not yet: ${blocking.map((p) => `${p.id} (${p.syncState})`).join(', ')} may not trust the new root; activate when every proxy is SYNCED${disconnectedOnly ? ', or with force if the disconnected ones are gone for good' : ''}`,
        );
      }
      const activated = await ctx.services.authority.activateRootRotation();
      await ctx.services.trustChanged();
      await ctx.services.audit.record({
        actor: ctx.principal.username,
        action: 'certificates.activateRootRotation',
        target: `certificate/${activated.root}`,
        outcome: 'OK',
        detail: { ...activated, forcedPast: behind.map((p) => p.id) },
      });
      return activated;
    }),
});
