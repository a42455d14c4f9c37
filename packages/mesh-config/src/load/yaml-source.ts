// Multi-document YAML with source positions kept, so any field path can be traced back to line:column.

import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
} from 'yaml';
import type { PathSegment } from './issue.ts';
import { excessiveNesting, MAX_NESTING_DEPTH } from './nesting-depth.ts';

/** Guards against alias bombs: a document may not expand past this many alias uses. */
const MAX_ALIAS_COUNT = 100;

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

export interface ParsedDocument {
  /** 1-based index within the file. */
  readonly index: number;
  readonly value: unknown;
  /** Where the field at `path` is written; its key when `key` is set (for unknown fields). */
  position(path: readonly PathSegment[], options?: { key?: boolean }): SourcePosition;
}

export interface SyntaxProblem {
  readonly document: number;
  readonly position: SourcePosition;
  readonly message: string;
}

export interface ParsedSource {
  readonly documents: ParsedDocument[];
  readonly problems: SyntaxProblem[];
}

export function parseYamlSource(text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const documents: ParsedDocument[] = [];
  const problems: SyntaxProblem[] = [];
  const toPosition = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  // Checked before composing: the composer recurses per level, and a stack overflow in it can
  // take the process down.
  const deep = excessiveNesting(text);
  if (deep !== undefined) {
    const before = text.slice(0, deep.offset);
    const line = before.split('\n').length;
    return {
      documents,
      problems: [
        {
          document: deep.document,
          position: { line, column: deep.offset - before.lastIndexOf('\n') },
          message: `nested deeper than ${MAX_NESTING_DEPTH} levels`,
        },
      ],
    };
  }

  parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true }).forEach(
    (doc, i) => {
      const index = i + 1;
      if (doc.errors.length > 0) {
        for (const error of doc.errors) {
          problems.push({
            document: index,
            position: toPosition(error.pos[0]),
            message: firstLine(error.message),
          });
        }
        return;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (error) {
        problems.push({
          document: index,
          position: toPosition(doc.range[0]),
          message: String(error),
        });
        return;
      }
      // An empty document (a stray "---", a file of only comments) holds nothing to load.
      if (value === null || value === undefined) return;
      documents.push({
        index,
        value,
        position: (path, options) => toPosition(locate(doc, path, options?.key ?? false)),
      });
    },
  );
  return { documents, problems };
}

/** Offset of the deepest node on `path` that exists: a missing field points at its parent. */
function locate(doc: Document.Parsed, path: readonly PathSegment[], key: boolean): number {
  let node: unknown = doc.contents;
  let offset = startOf(doc.contents) ?? 0;
  for (const [i, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) return offset;
      const isLast = i === path.length - 1;
      if (isLast && key) return startOf(pair.key) ?? offset;
      node = pair.value;
      offset = startOf(pair.value) ?? startOf(pair.key) ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) return offset;
      node = item;
      offset = startOf(item) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function startOf(node: unknown): number | undefined {
  return (node as { range?: readonly number[] } | null)?.range?.[0];
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
