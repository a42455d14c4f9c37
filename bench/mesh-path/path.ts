// What the measurement needs from a path under test, whatever carries it.

import type { PathName } from './options.ts';
import type { Child } from './supervisor.ts';

export interface Sidecar {
  /** "A" (outbound, beside the caller) or "B" (inbound, beside the service). */
  readonly label: string;
  readonly child: Child;
  /** Every process of the sidecar now (nginx: master and workers). */
  pids(): number[];
}

export interface Handshakes {
  /** Full TLS handshakes from A to B. */
  readonly full: number;
  /** Resumed ones. */
  readonly resumed: number;
}

export interface PathUnderTest {
  readonly name: PathName;
  /** Where the load generator sends its requests. */
  readonly url: string;
  readonly sidecars: readonly Sidecar[];
  /** Handshakes between A and B since start; absent where they cannot be counted. */
  readonly handshakes?: () => Promise<Handshakes>;
  /** Keeps what explains a run (counters, logs) in logDir before the path is stopped. */
  readonly saveDiagnostics?: (logDir: string) => Promise<void>;
}

/** A sidecar that is one process (a Node proxy run with plain node, as the bundles are). */
export function singleProcessSidecar(label: string, child: Child): Sidecar {
  return { label, child, pids: () => (child.process.pid === undefined ? [] : [child.process.pid]) };
}
