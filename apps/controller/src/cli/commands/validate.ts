// `weft validate FILE...`: every problem in the given mesh files, each with file:line:column and field.

import { type ConfigIssue, formatIssue, loadMeshConfig, type SourceFile } from '@weft/mesh-config';
import { type Command, Option } from 'commander';
import { readSources, UnreadableFileError } from './read-sources.ts';

/** Exit codes: configuration problems are not the same failure as an unreadable file. */
export const EXIT_INVALID = 1;
export const EXIT_UNREADABLE = 2;

export interface ValidateOutput {
  out(line: string): void;
  err(line: string): void;
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'check mesh resource files; lists every error with file:line:column and field path',
    )
    .argument('<files...>', 'YAML files holding Weft resources, validated together as one mesh')
    .addOption(
      new Option('-o, --output <format>', 'report format')
        .choices(['text', 'json'])
        .default('text'),
    )
    .action(async (files: string[], options: { output: 'text' | 'json' }) => {
      process.exitCode = await validateFiles(files, options.output, {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      });
    });
}

export async function validateFiles(
  files: readonly string[],
  format: 'text' | 'json',
  output: ValidateOutput,
): Promise<number> {
  let sources: SourceFile[];
  try {
    sources = await readSources(files);
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    output.err(error.message);
    return EXIT_UNREADABLE;
  }
  const { resources, issues } = loadMeshConfig(sources);
  if (format === 'json') {
    output.out(
      JSON.stringify({ valid: issues.length === 0, resources: resources.length, issues }, null, 2),
    );
  } else if (issues.length > 0) {
    for (const issue of issues) output.err(formatIssue(issue));
    output.err(summarizeFailure(issues));
  } else {
    const counts = new Map<string, number>();
    for (const { resource } of resources)
      counts.set(resource.kind, (counts.get(resource.kind) ?? 0) + 1);
    const detail = [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
    output.out(`valid: ${resources.length} resources in ${files.length} file(s) (${detail})`);
  }
  return issues.length === 0 ? 0 : EXIT_INVALID;
}

function summarizeFailure(issues: readonly ConfigIssue[]): string {
  const files = new Set(issues.map((i) => i.file)).size;
  return `invalid: ${issues.length} problem${issues.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
}
