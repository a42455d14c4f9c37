// Incremental compiles: each snapshot remembers the input keys it read (inputs.ts); the next
// compile fingerprints every input, and recompiles only the snapshots that read a key whose
// fingerprint changed, plus workloads it has not seen. The result equals a full compile.

import { MeshConfigError } from '../config-error.ts';
import type { LoadedResource } from '../load/load.ts';
import { validateResourceSet } from '../validate/index.ts';
import { compileWorkload } from './compile-workload.ts';
import { type CompileInput, CompileInputs, changedKeys, type InputKey } from './inputs.ts';
import type { ProxySnapshot } from './snapshot.ts';

export interface IncrementalResult {
  /** A snapshot per workload, the unchanged ones the same objects as before. */
  readonly snapshots: ReadonlyMap<string, ProxySnapshot>;
  /** Workloads whose snapshot was compiled this time (the others could not have changed). */
  readonly compiled: readonly string[];
  /** Input keys whose value changed since the last compile; undefined on the first. */
  readonly changedInputs: ReadonlySet<InputKey> | undefined;
}

interface CompiledState {
  readonly resourceSetFingerprint: string;
  readonly fingerprints: ReadonlyMap<InputKey, string>;
  readonly snapshots: ReadonlyMap<string, ProxySnapshot>;
  readonly reads: ReadonlyMap<string, ReadonlySet<InputKey>>;
}

export class IncrementalCompiler {
  private state: CompiledState | undefined;

  /**
   * Compiles what the change since the last successful call can have affected. Throws
   * MeshConfigError (and keeps its state, so the next call compares with the last good one)
   * when the resources do not validate or a snapshot is inconsistent: nothing is published
   * from a broken set. A snapshot whose content is unchanged is the previous object, previous
   * version included: there is nothing new to send.
   */
  compile(input: CompileInput): IncrementalResult {
    const inputs = new CompileInputs(input);
    const previous = this.state;
    // The set validated last time is still valid; any change to it is validated as a whole.
    if (previous?.resourceSetFingerprint !== inputs.resourceSetFingerprint) {
      const loaded: LoadedResource[] = input.resources.map((resource) => ({ resource }));
      const issues = validateResourceSet(loaded);
      if (issues.length > 0) throw new MeshConfigError(issues);
    }
    const fingerprints = inputs.fingerprints();
    const changed =
      previous === undefined ? undefined : changedKeys(previous.fingerprints, fingerprints);

    const snapshots = new Map<string, ProxySnapshot>();
    const reads = new Map<string, ReadonlySet<InputKey>>();
    const compiled: string[] = [];
    for (const { id } of inputs.workloads) {
      const before = previous?.snapshots.get(id);
      const beforeReads = previous?.reads.get(id);
      if (
        before !== undefined &&
        beforeReads !== undefined &&
        changed !== undefined &&
        !readsAny(beforeReads, changed)
      ) {
        snapshots.set(id, before);
        reads.set(id, beforeReads);
        continue;
      }
      const reader = inputs.reader();
      const snapshot = compileWorkload(id, reader, input.version);
      snapshots.set(id, before?.hash === snapshot.hash ? before : snapshot);
      reads.set(id, reader.reads);
      compiled.push(id);
    }
    this.state = {
      resourceSetFingerprint: inputs.resourceSetFingerprint,
      fingerprints,
      snapshots,
      reads,
    };
    return { snapshots, compiled, changedInputs: changed };
  }

  /** Forgets everything: the next compile is a full one. */
  reset(): void {
    this.state = undefined;
  }
}

function readsAny(reads: ReadonlySet<InputKey>, changed: ReadonlySet<InputKey>): boolean {
  if (changed.size === 0) return false;
  for (const key of changed) if (reads.has(key)) return true;
  return false;
}
