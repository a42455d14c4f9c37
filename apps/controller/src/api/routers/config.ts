// Mesh configuration as YAML: validate, diff against what is in force, apply as a revision.

import {
  diffResourceSets,
  loadMeshConfig,
  MeshConfigError,
  mergeResources,
  type Resource,
} from '@weft/mesh-config';
import { z } from 'zod';
import { applyResources } from '../../config/config-changes.ts';
import { createRouter, operatorProcedure, viewerProcedure } from '../trpc.ts';

/** A mesh file is small; anything larger is a mistake or an attack. */
const MAX_YAML_BYTES = 1024 * 1024;

const yamlInput = z.strictObject({
  yaml: z.string().max(MAX_YAML_BYTES, { error: `must be at most ${MAX_YAML_BYTES} bytes` }),
  /** How errors name the text: the file the CLI read it from. */
  file: z.string().max(1024).default('request.yaml'),
});

function parseResources(input: z.infer<typeof yamlInput>): Resource[] {
  const { resources, issues } = loadMeshConfig([{ file: input.file, text: input.yaml }]);
  if (issues.length > 0) throw new MeshConfigError(issues);
  return resources.map((r) => r.resource);
}

const summarize = (changes: ReturnType<typeof diffResourceSets>) =>
  changes.map((c) => ({
    key: c.key,
    action: c.action,
    before: c.before ?? null,
    after: c.after ?? null,
  }));

export const configRouter = createRouter({
  current: viewerProcedure.query(({ ctx }) => ctx.services.revisions.current()),

  /** Every problem in the YAML, alone and together with what is in force; nothing is stored. */
  validate: viewerProcedure.input(yamlInput).mutation(async ({ ctx, input }) => {
    const own = loadMeshConfig([{ file: input.file, text: input.yaml }]);
    return {
      valid: own.issues.length === 0,
      issues: own.issues,
      resources: own.resources.length,
      current: (await ctx.services.revisions.current()).length,
    };
  }),

  diff: viewerProcedure.input(yamlInput).mutation(async ({ ctx, input }) => {
    const current = await ctx.services.revisions.current();
    return summarize(diffResourceSets(current, mergeResources(current, parseResources(input))));
  }),

  // Not "apply": tRPC reserves it (Function.prototype.apply).
  applyYaml: operatorProcedure
    .input(yamlInput.extend({ message: z.string().max(1_000).default('apply') }))
    .mutation(async ({ ctx, input }) => {
      const outcome = await applyResources(
        ctx.services.revisions,
        parseResources(input),
        ctx.principal.username,
        input.message,
      );
      if (outcome.changed) await ctx.services.publisher.publish();
      return outcome.changed
        ? {
            changed: true as const,
            revision: outcome.revision.id,
            changes: outcome.revision.changes,
          }
        : { changed: false as const, revision: outcome.revision?.id ?? null, changes: [] };
    }),
});
