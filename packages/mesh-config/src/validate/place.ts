// Names where another resource stands, for messages that point at two places.

import type { PathSegment } from '../load/issue.ts';
import type { LoadedResource } from '../load/load.ts';

export function formatPlace(loaded: LoadedResource, path: readonly PathSegment[] = []): string {
  const { kind, metadata } = loaded.resource;
  const name = `${kind}/${metadata.name}`;
  if (loaded.origin === undefined) return name;
  const { line, column } = loaded.origin.position(path);
  return `${name} (${loaded.origin.file}:${line}:${column})`;
}
