// Service objectives (SLOs) as the API shows them, and whether measured figures meet them.

import { parseDuration, type ServiceResource } from '@weft/mesh-config';

export interface Objective {
  /** Success rate (non-5xx share) calls must reach, 0..1. */
  readonly minSuccessRate: number | null;
  /** The p99 latency calls must stay within, ms. */
  readonly maxP99Ms: number | null;
}

export type ObjectiveBreach = 'successRate' | 'p99';

export interface Judgement {
  /** null: nothing to judge (no objective, or no requests in the window). */
  readonly meetsObjective: boolean | null;
  readonly breaches: ObjectiveBreach[];
}

export function objectiveOf(service: ServiceResource): Objective | null {
  const objectives = service.spec.objectives;
  if (objectives === undefined) return null;
  const { successRate, p99Latency } = objectives;
  if (successRate === undefined && p99Latency === undefined) return null;
  return {
    minSuccessRate: successRate ?? null,
    maxP99Ms: p99Latency === undefined ? null : (parseDuration(p99Latency) ?? null),
  };
}

export function judge(
  objective: Objective | null,
  measured: { requests: number; successRate: number | null; p99: number | null },
): Judgement {
  if (objective === null || measured.requests === 0) return { meetsObjective: null, breaches: [] };
  const breaches: ObjectiveBreach[] = [];
  if (objective.minSuccessRate !== null && (measured.successRate ?? 0) < objective.minSuccessRate) {
    breaches.push('successRate');
  }
  if (objective.maxP99Ms !== null && (measured.p99 ?? 0) > objective.maxP99Ms) breaches.push('p99');
  return { meetsObjective: breaches.length === 0, breaches };
}
