// The mesh at a glance and as a graph, both from the observed caller -> callee edges: golden
// metrics for the whole mesh, per destination service (judged by its objectives), per edge
// and per destination version.

import type { Resource, ServiceResource } from '@weft/mesh-config';
import { type Judgement, judge, type Objective, objectiveOf } from '../catalog/objectives.ts';
import { serviceId } from '../catalog/services.ts';
import type { EdgeFigures, Figures } from '../repositories/telemetry.ts';
import { type Golden, goldenOf, mergeFigures } from './golden.ts';

export interface ServiceHealth extends Golden, Judgement {
  /** "namespace/name" */
  readonly id: string;
  readonly objective: Objective | null;
}

export interface MeshOverview extends Golden {
  readonly windowSeconds: number;
  /** Every configured service and every other observed destination, by id. */
  readonly services: ServiceHealth[];
}

export interface GraphNode extends Golden {
  readonly id: string;
  /** Versions the service declares. */
  readonly versions: string[];
}

export interface GraphEdge extends Golden {
  readonly source: string;
  readonly destination: string;
  /** Edges are recorded by the calling proxy, which speaks only mTLS to its peers. */
  readonly mtlsShare: number;
  readonly byVersion: (Golden & { version: string })[];
}

export interface MeshGraph {
  readonly windowSeconds: number;
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
}

export function meshOverview(
  resources: readonly Resource[],
  edges: readonly EdgeFigures[],
  windowSeconds: number,
): MeshOverview {
  const services = servicesOf(resources);
  const inbound = inboundOf(edges);
  const ids = [...new Set([...services.keys(), ...inbound.keys()])].sort();
  return {
    windowSeconds,
    ...goldenOf(mergeFigures(edges), windowSeconds),
    services: ids.map((id) => {
      const service = services.get(id);
      const objective = service === undefined ? null : objectiveOf(service);
      const golden = goldenOf(inbound.get(id) ?? mergeFigures([]), windowSeconds);
      return { id, ...golden, objective, ...judge(objective, golden) };
    }),
  };
}

export function meshGraph(
  resources: readonly Resource[],
  edges: readonly EdgeFigures[],
  windowSeconds: number,
): MeshGraph {
  const services = servicesOf(resources);
  const inbound = inboundOf(edges);
  const ids = new Set([...services.keys(), ...edges.flatMap((e) => [e.source, e.destination])]);
  return {
    windowSeconds,
    nodes: [...ids].sort().map((id) => ({
      id,
      versions: services.get(id)?.spec.versions.map((v) => v.name) ?? [],
      ...goldenOf(inbound.get(id) ?? mergeFigures([]), windowSeconds),
    })),
    edges: edges.map((e) => ({
      source: e.source,
      destination: e.destination,
      ...goldenOf(e, windowSeconds),
      mtlsShare: 1,
      byVersion: e.byVersion.map((v) => ({
        version: v.version,
        ...goldenOf(v, windowSeconds),
      })),
    })),
  };
}

function servicesOf(resources: readonly Resource[]): Map<string, ServiceResource> {
  const services = new Map<string, ServiceResource>();
  for (const r of resources)
    if (r.kind === 'Service') services.set(serviceId(r.metadata.namespace, r.metadata.name), r);
  return services;
}

/** Calls into each destination, merged over callers. */
function inboundOf(edges: readonly EdgeFigures[]): Map<string, Figures> {
  const grouped = new Map<string, EdgeFigures[]>();
  for (const e of edges) grouped.set(e.destination, [...(grouped.get(e.destination) ?? []), e]);
  return new Map([...grouped].map(([id, list]) => [id, mergeFigures(list)]));
}
