// The compiler: resources + registered workloads -> one immutable, hashed snapshot per proxy.
// A full compile is an incremental one from nothing (incremental.ts), so both share one path.

import { IncrementalCompiler } from './incremental.ts';
import type { CompileInput } from './inputs.ts';
import type { ProxySnapshot } from './snapshot.ts';

export type { CompileInput } from './inputs.ts';

/**
 * Compiles a snapshot for every workload. Throws MeshConfigError when the resources do not
 * validate or a workload belongs to no Service: nothing is published from a broken set.
 */
export function compileSnapshots(input: CompileInput): Map<string, ProxySnapshot> {
  return new Map(new IncrementalCompiler().compile(input).snapshots);
}
