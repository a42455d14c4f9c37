// Rollout runs: the plan each follows and where it is. Every write checks the generation it was
// computed from and is committed with its audit rows; one active run per service is enforced by
// a unique key that a finished run gives up.

import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { ConflictError } from '../errors.ts';
import type { RolloutRun as RolloutRunRow } from '../generated/prisma/client.ts';
import { analysisResult } from '../rollouts/analysis.ts';
import { type RolloutPlan, rolloutPlan } from '../rollouts/plan.ts';
import { isTerminal, type RunState } from '../rollouts/state-machine.ts';
import { type AuditRecord, recordAudit } from './audit.ts';

export interface RolloutRun {
  readonly id: number;
  readonly plan: RolloutPlan;
  readonly state: RunState;
  readonly startedBy: string;
  readonly startedAt: Date;
  readonly updatedAt: Date;
  /** What a write must name to replace this state. */
  readonly generation: number;
}

const storedAnalyses = z.array(analysisResult);
const activeKey = (namespace: string, service: string) => `${namespace}/${service}`;

export class RolloutRunRepository {
  constructor(private readonly db: Db) {}

  /** Refused with ConflictError while the service has an active run. */
  async create(
    plan: RolloutPlan,
    state: RunState,
    startedBy: string,
    audit: (id: number) => AuditRecord[],
  ): Promise<RolloutRun> {
    const key = activeKey(plan.namespace, plan.service);
    try {
      return await this.db.$transaction(async (tx) => {
        const active = await tx.rolloutRun.findUnique({ where: { activeKey: key } });
        if (active !== null) throw activeConflict(active);
        const row = await tx.rolloutRun.create({
          data: {
            namespace: plan.namespace,
            service: plan.service,
            rollout: plan.rollout,
            route: plan.route,
            stableVersion: plan.stableVersion,
            canaryVersion: plan.canaryVersion,
            plan: JSON.stringify(plan),
            startedBy,
            ...columnsOf(state),
            activeKey: isTerminal(state) ? null : key,
          },
        });
        for (const record of audit(row.id)) await recordAudit(tx, record);
        return toRun(row);
      });
    } catch (error) {
      // Another controller replica won the race between the check and the insert.
      if ((error as { code?: string }).code === 'P2002') {
        const active = await this.db.rolloutRun.findUnique({ where: { activeKey: key } });
        if (active !== null) throw activeConflict(active);
      }
      throw error;
    }
  }

  /** Replaces the state read at `generation`; undefined when another write came first. */
  async save(
    id: number,
    generation: number,
    state: RunState,
    audit: readonly AuditRecord[],
  ): Promise<RolloutRun | undefined> {
    return this.db.$transaction(async (tx) => {
      const { count } = await tx.rolloutRun.updateMany({
        where: { id, generation },
        data: {
          ...columnsOf(state),
          generation: { increment: 1 },
          ...(isTerminal(state) ? { activeKey: null } : {}),
        },
      });
      if (count === 0) return undefined;
      for (const record of audit) await recordAudit(tx, record);
      return toRun(await tx.rolloutRun.findUniqueOrThrow({ where: { id } }));
    });
  }

  async get(id: number): Promise<RolloutRun | undefined> {
    const row = await this.db.rolloutRun.findUnique({ where: { id } });
    return row === null ? undefined : toRun(row);
  }

  async active(): Promise<RolloutRun[]> {
    const rows = await this.db.rolloutRun.findMany({
      where: { activeKey: { not: null } },
      orderBy: { id: 'asc' },
    });
    return rows.map(toRun);
  }

  async activeFor(namespace: string, service: string): Promise<RolloutRun | undefined> {
    const row = await this.db.rolloutRun.findUnique({
      where: { activeKey: activeKey(namespace, service) },
    });
    return row === null ? undefined : toRun(row);
  }

  /** Newest first. */
  async list(filter: {
    namespace?: string;
    service?: string;
    limit: number;
  }): Promise<RolloutRun[]> {
    const rows = await this.db.rolloutRun.findMany({
      where: {
        ...(filter.namespace === undefined ? {} : { namespace: filter.namespace }),
        ...(filter.service === undefined ? {} : { service: filter.service }),
      },
      orderBy: { id: 'desc' },
      take: filter.limit,
    });
    return rows.map(toRun);
  }

  /** The canary of the service's last run that ended promoted: the version now in service. */
  async lastPromoted(namespace: string, service: string): Promise<string | undefined> {
    const row = await this.db.rolloutRun.findFirst({
      where: { namespace, service, phase: 'SUCCEEDED' },
      orderBy: { id: 'desc' },
      select: { canaryVersion: true },
    });
    return row?.canaryVersion;
  }
}

function activeConflict(row: RolloutRunRow): ConflictError {
  return new ConflictError(
    `an active rollout of ${row.namespace}/${row.service} (run ${row.id}, ${row.canaryVersion} ${row.phase.toLowerCase()})`,
  );
}

function columnsOf(state: RunState) {
  return {
    phase: state.phase,
    pause: state.pause,
    stepIndex: state.stepIndex,
    canaryWeight: state.canaryWeight,
    stableWeight: state.stableWeight,
    stepStartedAt: state.stepStartedAt,
    stepPassed: state.stepPassed,
    pausedAt: state.pausedAt,
    nextAnalysisAt: state.nextAnalysisAt,
    failures: state.failures,
    analyses: JSON.stringify(state.analyses),
    reason: state.reason,
    finishedAt: state.finishedAt,
  };
}

function toRun(row: RolloutRunRow): RolloutRun {
  return {
    id: row.id,
    plan: rolloutPlan.parse(JSON.parse(row.plan)),
    state: {
      phase: row.phase,
      pause: row.pause,
      stepIndex: row.stepIndex,
      canaryWeight: row.canaryWeight,
      stableWeight: row.stableWeight,
      stepStartedAt: row.stepStartedAt,
      stepPassed: row.stepPassed,
      pausedAt: row.pausedAt,
      nextAnalysisAt: row.nextAnalysisAt,
      failures: row.failures,
      analyses: storedAnalyses.parse(JSON.parse(row.analyses)),
      reason: row.reason,
      finishedAt: row.finishedAt,
    },
    startedBy: row.startedBy,
    startedAt: row.startedAt,
    updatedAt: row.updatedAt,
    generation: row.generation,
  };
}
