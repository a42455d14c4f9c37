// The snapshot in force and its runtime. A new snapshot is checked, built, prepared (what it
// needs from the host, such as its outbound ports, is acquired), then swapped in with one
// assignment; a bad one, or one the host cannot serve, is refused whole (the NACK) and the
// previous stays in force. The last applied snapshot is kept on disk for a start without the
// controller.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MeshError } from '@weft/errors';
import {
  checkSnapshotConsistency,
  formatIssue,
  loadTypedDocument,
  type ProxySnapshot,
  proxySnapshot,
} from '@weft/mesh-config';
import type { Runtime } from './runtime.ts';

const LAST_APPLIED_FILE = 'last-applied-snapshot.json';

export class SnapshotRejectedError extends MeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MESH_ERR_SNAPSHOT_REJECTED', message, options);
  }
}

/** What one preparer acquired for a runtime, held until the snapshot is in force or refused. */
export interface Preparation {
  /** The runtime is in force: release what only the previous one needed. */
  commit(): void;
  /** The snapshot is refused: give back what was acquired for it. */
  abort(): Promise<void>;
}

/** Acquires what a runtime needs before it goes into force; throws if it cannot (nothing held). */
export type Preparer = (runtime: Runtime) => Promise<Preparation>;

export type ApplyResult =
  | { applied: true; runtime: Runtime }
  | { applied: false; reason: 'unchanged' };

export class SnapshotStore {
  private runtime: Runtime | undefined;
  private readonly listeners = new Set<(runtime: Runtime, previous: Runtime | undefined) => void>();
  private readonly preparers: Preparer[] = [];
  /** Applies run one at a time: a snapshot is prepared against the runtime it will replace. */
  private applying: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly build: (snapshot: ProxySnapshot) => Runtime,
    private readonly workloadId: string,
    private readonly stateDir: string | undefined,
  ) {}

  current(): Runtime | undefined {
    return this.runtime;
  }

  onSwap(listener: (runtime: Runtime, previous: Runtime | undefined) => void): void {
    this.listeners.add(listener);
  }

  /** Runs before every swap, in the order added; one that fails refuses the snapshot. */
  addPreparer(preparer: Preparer): void {
    this.preparers.push(preparer);
  }

  /**
   * Validates, builds, prepares and swaps in a snapshot, all or nothing: throws
   * SnapshotRejectedError and keeps the old one in force, with what it holds.
   */
  apply(candidate: unknown): Promise<ApplyResult> {
    const run = this.applying.then(
      () => this.applyNow(candidate),
      () => this.applyNow(candidate),
    );
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(candidate: unknown): Promise<ApplyResult> {
    const parsed = proxySnapshot.safeParse(candidate);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new SnapshotRejectedError(
        `not a valid snapshot: ${first?.path.join('.')}: ${first?.message}`,
      );
    }
    const snapshot = parsed.data;
    if (snapshot.workload.id !== this.workloadId) {
      throw new SnapshotRejectedError(
        `the snapshot is for workload ${snapshot.workload.id}, this proxy is ${this.workloadId}`,
      );
    }
    const problems = checkSnapshotConsistency(snapshot);
    if (problems.length > 0)
      throw new SnapshotRejectedError(`inconsistent snapshot: ${problems.join('; ')}`);
    if (
      this.runtime?.snapshot.hash === snapshot.hash &&
      this.runtime.snapshot.version === snapshot.version
    ) {
      return { applied: false, reason: 'unchanged' };
    }
    let runtime: Runtime;
    try {
      runtime = this.build(snapshot);
    } catch (error) {
      throw new SnapshotRejectedError(`cannot apply the snapshot: ${(error as Error).message}`);
    }
    const prepared: Preparation[] = [];
    try {
      for (const prepare of this.preparers) prepared.push(await prepare(runtime));
    } catch (error) {
      await Promise.allSettled(prepared.map((p) => p.abort()));
      throw new SnapshotRejectedError(`cannot apply the snapshot: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const previous = this.runtime;
    this.runtime = runtime;
    for (const p of prepared) p.commit();
    for (const listener of this.listeners) listener(runtime, previous);
    await this.persist(snapshot);
    return { applied: true, runtime };
  }

  /** Reads a snapshot file written by `weft compile` or by an operator (YAML or JSON). */
  async applyFile(file: string): Promise<ApplyResult> {
    const result = loadTypedDocument(file, await readFile(file, 'utf8'), proxySnapshot);
    if (!result.ok) throw new SnapshotRejectedError(result.issues.map(formatIssue).join('\n'));
    return this.apply(result.value);
  }

  /** The snapshot this proxy last applied, if it kept one. */
  async applyLastApplied(): Promise<ApplyResult | undefined> {
    if (this.stateDir === undefined) return undefined;
    let text: string;
    try {
      text = await readFile(join(this.stateDir, LAST_APPLIED_FILE), 'utf8');
    } catch {
      return undefined;
    }
    return this.apply(JSON.parse(text));
  }

  /** Written to a temporary file and renamed: a crash never leaves half a snapshot. */
  private async persist(snapshot: ProxySnapshot): Promise<void> {
    if (this.stateDir === undefined) return;
    await mkdir(this.stateDir, { recursive: true });
    const target = join(this.stateDir, LAST_APPLIED_FILE);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(snapshot));
    await rename(temporary, target);
  }
}
