// Finds YAML nested too deeply to compose safely, from lexer tokens alone. The yaml composer
// recurses once per level: thousands of levels (`[[[[…`, `- - - …`) exhaust the stack, and an
// overflow that lands in V8's regexp compiler kills the process instead of throwing.

import { CST, Lexer } from 'yaml';

/** Far beyond any mesh document (about 10 levels), far below what the stack can take. */
export const MAX_NESTING_DEPTH = 64;

interface OpenBlock {
  readonly column: number;
  readonly sequence: boolean;
}

export interface ExcessiveNesting {
  /** Where the limit was passed. */
  readonly offset: number;
  /** 1-based index of the document it is in. */
  readonly document: number;
}

/**
 * Where nesting first passes `max`, or undefined. The count is an upper bound of the real depth:
 * every open flow bracket counts, every block collection counts by the column it opens at, and
 * a node after an indicator on the same line (`- - x`, `? - x`) counts as one more level.
 */
export function excessiveNesting(
  text: string,
  max: number = MAX_NESTING_DEPTH,
): ExcessiveNesting | undefined {
  const blocks: OpenBlock[] = [];
  let flow = 0;
  let offset = 0;
  let column = 0;
  let document = 1;
  let contentSeen = false;
  let lineStart = true;
  let afterIndicator = false;
  let scalarSource = false;
  let blockScalar = false;

  const advance = (token: string) => {
    offset += token.length;
    const newline = token.lastIndexOf('\n');
    column = newline === -1 ? column + token.length : token.length - newline - 1;
  };
  /** A node starts here: it may open a block collection. */
  const content = (sequence: boolean) => {
    contentSeen = true;
    if (flow === 0) {
      if (lineStart) {
        while (closes(blocks.at(-1), column, sequence)) blocks.pop();
        const top = blocks.at(-1);
        if (top === undefined || top.column < column || top.sequence !== sequence)
          blocks.push({ column, sequence });
      } else if (afterIndicator) {
        blocks.push({ column, sequence });
      }
    }
    lineStart = false;
  };

  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    // The lexer's markers (document, scalar, flow end) are not in the source: no width.
    if (type === 'doc-mode') continue;
    if (type === 'flow-error-end') {
      flow = 0;
      continue;
    }
    if (scalarSource) {
      scalarSource = false;
      advance(token);
      if (blockScalar) {
        // A block scalar's lines are its content, not structure.
        blockScalar = false;
        lineStart = token === '' || token.endsWith('\n');
      }
      afterIndicator = false;
      continue;
    }
    if (type === 'scalar') {
      scalarSource = true;
      if (blockScalar) continue;
      content(false);
      if (blocks.length + flow > max) return { offset, document };
      continue;
    }

    const at = offset;
    if (type === 'doc-start' || type === 'doc-end') {
      if (type === 'doc-start' && contentSeen) document += 1;
      blocks.length = 0;
      flow = 0;
    }
    if (type === 'newline') {
      lineStart = true;
      afterIndicator = false;
    } else if (
      type !== 'space' &&
      type !== 'comment' &&
      type !== 'byte-order-mark' &&
      type !== 'doc-start' &&
      type !== 'doc-end' &&
      type !== 'directive-line'
    ) {
      content(type === 'seq-item-ind');
      afterIndicator =
        type === 'seq-item-ind' || type === 'explicit-key-ind' || type === 'map-value-ind';
      if (type === 'block-scalar-header') blockScalar = true;
      if (type === 'flow-map-start' || type === 'flow-seq-start') flow += 1;
      if ((type === 'flow-map-end' || type === 'flow-seq-end') && flow > 0) flow -= 1;
    }
    advance(token);
    if (blocks.length + flow > max) return { offset: at, document };
  }
  return undefined;
}

/** A line starting at `column` ends the blocks indented deeper, and a sequence at its own
 *  column unless the line is another item of it. */
function closes(block: OpenBlock | undefined, column: number, sequence: boolean): boolean {
  if (block === undefined) return false;
  return block.column > column || (block.column === column && block.sequence && !sequence);
}
