// Configuration changes as the domain does them: apply, roll back, set canary or rollout
// weights. Each lands as one revision written in one transaction with its audit row
// (config/config-changes.ts), and a revision that changed anything is announced once.

import type { LoadedResource } from '@weft/mesh-config';
import {
  applyLoaded,
  rollbackTo,
  setCanaryWeights,
  setRolloutWeights,
} from '../config/config-changes.ts';
import type { ChangeOutcome, RevisionRepository } from '../repositories/revisions.ts';
import type { ChangeBus } from './changes.ts';

export class ConfigOperations {
  constructor(
    private readonly revisions: RevisionRepository,
    private readonly changes: ChangeBus,
  ) {}

  /** Documents read from a file, merged into what is in force; problems name their lines. */
  apply(loaded: readonly LoadedResource[], actor: string, message: string): Promise<ChangeOutcome> {
    return this.announced(applyLoaded(this.revisions, loaded, actor, message));
  }

  /** Restores the set of revision `target` as a new revision. */
  rollback(target: number, actor: string): Promise<ChangeOutcome> {
    return this.announced(rollbackTo(this.revisions, target, actor));
  }

  /** The canary slider: weights of named versions on a live HTTPRoute. */
  setCanaryWeights(
    target: Parameters<typeof setCanaryWeights>[1],
    actor: string,
  ): Promise<ChangeOutcome> {
    return this.announced(setCanaryWeights(this.revisions, target, actor));
  }

  /** A rollout step's weights for the stable and canary versions. */
  setRolloutWeights(
    target: Parameters<typeof setRolloutWeights>[1],
    actor: string,
  ): Promise<ChangeOutcome> {
    return this.announced(setRolloutWeights(this.revisions, target, actor));
  }

  private async announced(change: Promise<ChangeOutcome>): Promise<ChangeOutcome> {
    const outcome = await change;
    if (outcome.changed) await this.changes.emit({ kind: 'config', revision: outcome.revision.id });
    return outcome;
  }
}
