// Drives active rollouts: every tick each active run is advanced. Runs are read from the
// database at each tick, never kept in memory, so a restarted controller carries on where they
// were; deadlines are absolute times, so a pause that ran out while it was down ends at once.

import type { Logger } from 'pino';
import type { RolloutOperations } from './rollout-operations.ts';

export const DEFAULT_ROLLOUT_TICK_MS = 1_000;

export class RolloutRunner {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly operations: RolloutOperations,
    private readonly log: Logger,
    private readonly tickMs: number = DEFAULT_ROLLOUT_TICK_MS,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Advances every active run once; a run that fails is logged and tried again next tick. */
  async tick(): Promise<void> {
    let ids: number[];
    try {
      ids = await this.operations.activeIds();
    } catch (error) {
      this.log.error({ err: error }, 'rollouts: cannot list active runs');
      return;
    }
    for (const id of ids) {
      if (this.stopped) return;
      try {
        await this.operations.advance(id);
      } catch (error) {
        this.log.error({ err: error, run: id }, 'rollouts: advancing a run failed');
      }
    }
  }

  /** No tick starts after this; the one under way finishes first. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  // One tick at a time: the next is planned when the last has finished, however long it took.
  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.tick().finally(() => {
        this.current = undefined;
        this.schedule();
      });
    }, this.tickMs);
  }
}
