// Turns zod's issues into the field paths and sentences an operator reads.

import type { z } from 'zod';
import type { PathSegment } from './issue.ts';

export interface FieldProblem {
  readonly path: PathSegment[];
  readonly message: string;
  /** The problem is the key itself (an unknown field), not its value. */
  readonly atKey: boolean;
}

const MAX_SHOWN_VALUE = 60;

export function describeZodIssue(issue: z.core.$ZodIssue): FieldProblem[] {
  const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: [...path, key],
      message: 'unknown field',
      atKey: true,
    }));
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return [{ path, message: 'is required', atKey: false }];
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0 && 'discriminator' in issue) {
    return [{ path, message: issue.message, atKey: false }];
  }
  return [{ path, message: `${issue.message}${describeInput(issue.input)}`, atKey: false }];
}

/** ", got -5" so the operator sees what was read, which is not always what was meant. */
function describeInput(input: unknown): string {
  if (input === undefined) return '';
  if (input === null) return ', got null';
  if (Array.isArray(input)) return ', got a list';
  if (typeof input === 'object') return ', got a mapping';
  const text = typeof input === 'string' ? JSON.stringify(input) : String(input);
  return `, got ${text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}…` : text}`;
}
