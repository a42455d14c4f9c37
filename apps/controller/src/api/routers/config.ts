// Mesh configuration as YAML: validate, diff against what is in force, apply as a revision.
// A request may hold part of the mesh (one route, say): it is judged merged with what is in
// force, as applying it would leave it.

import {
  compareIssues,
  diffResourceSets,
  type LoadedResource,
  loadSources,
  MeshConfigError,
} from '@weft/mesh-config';
import { z } from 'zod';
import { mergeChecked, mergeIssues } from '../../config/config-changes.ts';
import { text } from '../text-input.ts';
import { createRouter, operatorProcedure, viewerProcedure } from '../trpc.ts';

/** A mesh file is small; anything larger is a mistake or an attack. */
const MAX_YAML_BYTES = 1024 * 1024;

const yamlInput = z.strictObject({
  yaml: text().max(MAX_YAML_BYTES, { error: `must be at most ${MAX_YAML_BYTES} bytes` }),
  /** How errors name the text: the file the CLI read it from. */
  file: text().max(1024).default('request.yaml'),
});

/** Each document of the request on its own: syntax and schema, with file and line. */
function loadRequest(input: z.infer<typeof yamlInput>) {
  return loadSources([{ file: input.file, text: input.yaml }]);
}

function parseResources(input: z.infer<typeof yamlInput>): LoadedResource[] {
  const { resources, issues } = loadRequest(input);
  if (issues.length > 0) throw new MeshConfigError(issues.sort(compareIssues));
  return resources;
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
    const own = loadRequest(input);
    const current = await ctx.services.revisions.current();
    const issues =
      own.issues.length > 0 ? own.issues.sort(compareIssues) : mergeIssues(current, own.resources);
    return {
      valid: issues.length === 0,
      issues,
      resources: own.resources.length,
      current: current.length,
    };
  }),

  diff: viewerProcedure.input(yamlInput).mutation(async ({ ctx, input }) => {
    const current = await ctx.services.revisions.current();
    return summarize(diffResourceSets(current, mergeChecked(current, parseResources(input))));
  }),

  // Not "apply": tRPC reserves it (Function.prototype.apply).
  applyYaml: operatorProcedure
    .input(yamlInput.extend({ message: text().max(1_000).default('apply') }))
    .mutation(async ({ ctx, input }) => {
      const outcome = await ctx.services.operations.config.apply(
        parseResources(input),
        ctx.principal.username,
        input.message,
      );
      return outcome.changed
        ? {
            changed: true as const,
            revision: outcome.revision.id,
            changes: outcome.revision.changes,
          }
        : { changed: false as const, revision: outcome.revision?.id ?? null, changes: [] };
    }),
});
