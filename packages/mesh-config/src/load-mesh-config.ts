// One call for CLI and controller: parse, check each document, then check the set as a whole.

import { type ConfigIssue, compareIssues } from './load/issue.ts';
import { type LoadedResource, loadSources, type SourceFile } from './load/load.ts';
import { validateResourceSet } from './validate/index.ts';

export interface MeshConfigResult {
  readonly resources: LoadedResource[];
  /** Sorted by file and line; empty when the configuration is valid. */
  readonly issues: ConfigIssue[];
}

export function loadMeshConfig(sources: readonly SourceFile[]): MeshConfigResult {
  const { resources, issues } = loadSources(sources);
  // Cross-document checks on a partial set would report every reference to a broken document
  // as dangling, burying the real error; they run once each document stands.
  const setIssues = issues.length === 0 ? validateResourceSet(resources) : [];
  return { resources, issues: [...issues, ...setIssues].sort(compareIssues) };
}
