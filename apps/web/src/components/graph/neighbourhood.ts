// Which part of a large graph to draw: services matching a search, or one service and its callers
// and callees. Drawing a thousand services at once helps nobody.

export const MAX_DRAWN_NODES = 150;

interface Edge {
  readonly source: string;
  readonly destination: string;
}

export function visibleNodes(
  all: readonly string[],
  edges: readonly Edge[],
  search: string,
  focus: string | null,
): { ids: string[]; truncated: boolean } {
  let ids: string[];
  if (focus !== null && all.includes(focus)) {
    const around = new Set([focus]);
    for (const e of edges) {
      if (e.source === focus) around.add(e.destination);
      if (e.destination === focus) around.add(e.source);
    }
    ids = all.filter((id) => around.has(id));
  } else {
    const needle = search.trim().toLowerCase();
    ids = needle === '' ? [...all] : all.filter((id) => id.toLowerCase().includes(needle));
  }
  return { ids: ids.slice(0, MAX_DRAWN_NODES), truncated: ids.length > MAX_DRAWN_NODES };
}
