// The checks that look across documents, run in one place and reported like schema errors.

import { type ConfigIssue, formatPath } from '../load/issue.ts';
import type { LoadedResource } from '../load/load.ts';
import { checkOnePolicyPerTarget } from './one-policy-per-target.ts';
import { checkReferences } from './references.ts';
import { ResourceIndex, type SemanticProblem } from './resource-index.ts';
import { checkRollouts } from './rollouts.ts';
import { checkRouteOverlap } from './route-overlap.ts';
import { checkRuleSettings } from './rule-settings.ts';
import { checkServices } from './services.ts';
import { checkUniqueNames } from './unique-names.ts';

const CHECKS = [
  checkUniqueNames,
  checkServices,
  checkReferences,
  checkRuleSettings,
  checkRouteOverlap,
  checkOnePolicyPerTarget,
  checkRollouts,
] as const;

export function validateResourceSet(resources: readonly LoadedResource[]): ConfigIssue[] {
  const index = new ResourceIndex(resources);
  return CHECKS.flatMap((check) => check(index)).map(toConfigIssue);
}

function toConfigIssue({ at, path, message }: SemanticProblem): ConfigIssue {
  const { kind, metadata } = at.resource;
  const resource = `${kind}/${metadata.name}`;
  if (at.origin === undefined) return { resource, path: formatPath(path), message };
  return {
    file: at.origin.file,
    document: at.origin.document,
    ...at.origin.position(path),
    resource,
    path: formatPath(path),
    message,
  };
}
