// Builds every live proxy's snapshot: reads the resources in force, the live registry (by the
// one liveness rule), the revocations and the trust bundle, and compiles them. Compiles are
// incremental: only the snapshots that read an input which changed are compiled again
// (IncrementalCompiler in @weft/mesh-config owns that dependency, and checks what it builds).

import { IncrementalCompiler, type ProxySnapshot } from '@weft/mesh-config';
import type { CertificateRepository } from '../repositories/certificates.ts';
import type { ProxyRepository } from '../repositories/proxies.ts';
import type { RevisionRepository } from '../repositories/revisions.ts';
import type { ProxyLiveness } from './liveness.ts';

export interface SnapshotSources {
  readonly revisions: RevisionRepository;
  readonly proxies: ProxyRepository;
  readonly certificates: CertificateRepository;
  readonly trustBundle: () => Promise<string>;
  readonly liveness: ProxyLiveness;
}

/** One build: a snapshot per live, configured proxy, all compiled from one revision. */
export interface SnapshotSet {
  /** The configuration revision the snapshots were compiled from (0 before the first). */
  readonly revision: number;
  readonly version: string;
  readonly snapshots: ReadonlyMap<string, ProxySnapshot>;
  /** How many snapshots this build compiled anew (the others were unchanged). */
  readonly compiled: number;
}

export class SnapshotBuilder {
  private readonly compiler = new IncrementalCompiler();
  private generation = 0;

  constructor(private readonly sources: SnapshotSources) {}

  /** The snapshots of the mesh now, or undefined while no live proxy's service is configured. */
  async build(now: number = Date.now()): Promise<SnapshotSet | undefined> {
    const { revisions, proxies, certificates, liveness } = this.sources;
    const [resources, revision, live, revokedSerials, trustBundle] = await Promise.all([
      revisions.current(),
      revisions.latestId(),
      proxies.live(liveness.liveSince(now)),
      certificates.revokedSerials(new Date(now)),
      this.sources.trustBundle(),
    ]);
    const services = new Set(
      resources
        .filter((r) => r.kind === 'Service')
        .map((r) => `${r.metadata.namespace}/${r.metadata.name}`),
    );
    // A proxy whose service is not configured yet gets nothing (it stays not ready) rather than
    // stopping every other proxy's update.
    const workloads = live.filter((p) => services.has(`${p.namespace}/${p.service}`));
    if (workloads.length === 0) return undefined;
    this.generation += 1;
    const version = `r${revision}.${this.generation}`;
    const compiled = this.compiler.compile({
      resources,
      workloads,
      version,
      revokedSerials,
      trustBundle,
    });
    return { revision, version, snapshots: compiled.snapshots, compiled: compiled.compiled.length };
  }
}
