// Turns zod's issues into the field paths and sentences an operator reads.

import type { z } from 'zod';
import type { PathSegment } from './issue.ts';

export interface FieldProblem {
  readonly path: PathSegment[];
  readonly message: string;
  /** The problem is the key itself (an unknown field), not its value. */
  readonly atKey: boolean;
}

type Issue = z.core.$ZodIssue;

const MAX_SHOWN_VALUE = 60;

export function describeZodIssue(issue: Issue): FieldProblem[] {
  const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: 'unknown field',
        atKey: true,
      }));
    case 'invalid_type':
      if (issue.input === undefined) return [{ path, message: 'is required', atKey: false }];
      return [{ path, message: `${issue.message}${describeValue(issue.input)}`, atKey: false }];
    case 'invalid_union': {
      if (issue.discriminator !== undefined) {
        const written = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
        return [{ path, message: `${issue.message}${describeScalar(written)}`, atKey: false }];
      }
      const branch = intendedBranch(issue.errors);
      if (branch === undefined) return [{ path, message: issue.message, atKey: false }];
      return branch.flatMap((inner) =>
        describeZodIssue({ ...inner, path: [...path, ...inner.path] }),
      );
    }
    default:
      return [{ path, message: `${issue.message}${describeScalar(issue.input)}`, atKey: false }];
  }
}

/**
 * Of a union's alternatives, the one the author evidently meant: the only one whose fields
 * were all recognised. Its errors say more than "must be one of these shapes".
 */
function intendedBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  const plausible = branches.filter(
    (issues) => !issues.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0),
  );
  return plausible.length === 1 ? plausible[0] : undefined;
}

/** ", got -5" so the operator sees what was read, which is not always what was meant. */
function describeScalar(input: unknown): string {
  if (input === undefined || (typeof input === 'object' && input !== null)) return '';
  if (input === null) return ', got null';
  const text = typeof input === 'string' ? JSON.stringify(input) : String(input);
  return `, got ${text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}…` : text}`;
}

/** Like describeScalar, but also names the shape when a list or mapping stands where a value belongs. */
function describeValue(input: unknown): string {
  if (Array.isArray(input)) return ', got a list';
  if (typeof input === 'object' && input !== null) return ', got a mapping';
  return describeScalar(input);
}
