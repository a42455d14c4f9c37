// @weft/mesh-config: the resource model, its loader and validator, and the snapshot compiler.

export { clusterName } from './compile/cluster-name.ts';
export { type CompileInput, compileSnapshots } from './compile/compile.ts';
export { checkSnapshotConsistency } from './compile/consistency.ts';
export * from './compile/defaults.ts';
export { contentHash } from './compile/hash.ts';
export { IncrementalCompiler, type IncrementalResult } from './compile/incremental.ts';
export { type InputKey, inputKey } from './compile/inputs.ts';
export * from './compile/snapshot.ts';
export { matchesSubset, spiffeId, type WorkloadEndpoint } from './compile/workload.ts';
export { type WorkloadList, workloadListSchema } from './compile/workload-list.ts';
export { MeshConfigError } from './config-error.ts';
export { formatDuration, parseDuration } from './duration.ts';
export { type ConfigIssue, compareIssues, formatIssue, formatPath } from './load/issue.ts';
export {
  type LoadedResource,
  type LoadOutcome,
  loadSources,
  type SourceFile,
} from './load/load.ts';
export { loadTypedDocument, type TypedLoadResult } from './load/load-typed.ts';
export { loadMeshConfig, type MeshConfigResult } from './load-mesh-config.ts';
export {
  canonicalSet,
  diffResourceSets,
  mergeResources,
  type ResourceChange,
  type ResourceChangeAction,
  removeResources,
  resourceSetHash,
} from './resource-set.ts';
export * from './resources/index.ts';
export { validateResourceSet } from './validate/index.ts';
