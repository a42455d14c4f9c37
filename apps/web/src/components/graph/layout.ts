// Lays the service graph out left to right with dagre: callers to the left of what they call.

import dagre from '@dagrejs/dagre';

export const NODE_WIDTH = 176;
export const NODE_HEIGHT = 58;
const EDGE_LABEL = { width: 170, height: 16, labelpos: 'c' } as const;

export interface PlacedEdge {
  readonly points: readonly { x: number; y: number }[];
  /** Where the edge's label goes: dagre keeps this spot clear. */
  readonly label: { x: number; y: number };
}

export interface Placed {
  readonly nodes: ReadonlyMap<string, { x: number; y: number }>;
  readonly edges: ReadonlyMap<string, PlacedEdge>;
  readonly width: number;
  readonly height: number;
}

export const edgeKey = (source: string, destination: string) => `${source}->${destination}`;

export function layoutGraph(
  nodeIds: readonly string[],
  edges: readonly { source: string; destination: string }[],
): Placed {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 40, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const id of nodeIds) graph.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  // Labels get their own room in the layout, so they never sit on a box. dagre writes the
  // edge's points into its label object: each edge needs its own.
  for (const e of edges) graph.setEdge(e.source, e.destination, { ...EDGE_LABEL });
  dagre.layout(graph);
  const nodes = new Map<string, { x: number; y: number }>();
  for (const id of nodeIds) {
    const n = graph.node(id);
    nodes.set(id, { x: n.x, y: n.y });
  }
  const placedEdges = new Map<string, PlacedEdge>();
  for (const e of edges) {
    const placed = graph.edge(e.source, e.destination);
    placedEdges.set(edgeKey(e.source, e.destination), {
      points: placed.points ?? [],
      label: { x: placed.x ?? 0, y: placed.y ?? 0 },
    });
  }
  const size = graph.graph();
  return { nodes, edges: placedEdges, width: size.width ?? 0, height: size.height ?? 0 };
}
