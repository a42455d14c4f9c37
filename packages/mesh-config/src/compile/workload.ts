// A registered workload (one proxy beside one service instance) and the identity it holds.

import { VERSION_LABEL } from '../resources/service.ts';

export interface WorkloadEndpoint {
  /** Stable id of the proxy, unique in the mesh. */
  readonly id: string;
  readonly service: string;
  readonly namespace: string;
  readonly version?: string | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** Where its proxy accepts mTLS from other proxies. */
  readonly address: string;
  readonly port: number;
}

export function spiffeId(trustDomain: string, namespace: string, service: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${service}`;
}

/** A workload belongs to a version when it carries every label of that version's subset. */
export function matchesSubset(
  workload: WorkloadEndpoint,
  subset: Readonly<Record<string, string>>,
): boolean {
  const labels: Record<string, string> = { ...workload.labels };
  if (workload.version !== undefined) labels[VERSION_LABEL] = workload.version;
  return Object.entries(subset).every(([key, value]) => labels[key] === value);
}
