// `weft compile`: the snapshot each proxy would receive, written as files, for proxies run
// standalone (without a controller) and for reviewing what a change means per proxy.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  compileSnapshots,
  formatIssue,
  loadMeshConfig,
  loadTypedDocument,
  MeshConfigError,
  workloadListSchema,
} from '@weft/mesh-config';
import type { Command } from 'commander';
import { readSources, UnreadableFileError } from './read-sources.ts';
import { EXIT_INVALID, EXIT_UNREADABLE, type ValidateOutput } from './validate.ts';

export interface CompileOptions {
  readonly files: readonly string[];
  readonly workloads: string;
  readonly out: string;
  readonly version: string;
}

export function registerCompileCommand(program: Command): void {
  program
    .command('compile')
    .description(
      'compile mesh files into one snapshot file per workload, for proxies run standalone',
    )
    .requiredOption('-f, --file <files...>', 'mesh resource files (YAML)')
    .requiredOption(
      '-w, --workloads <file>',
      'a WorkloadList: each proxy id, service, version, address and port',
    )
    .requiredOption('-o, --out <dir>', 'folder for the <workload id>.snapshot.json files')
    .option('--version <version>', 'version stamped on the snapshots', 'standalone-1')
    .action(
      async (options: { file: string[]; workloads: string; out: string; version: string }) => {
        process.exitCode = await compileFiles(
          {
            files: options.file,
            workloads: options.workloads,
            out: options.out,
            version: options.version,
          },
          {
            out: (line) => process.stdout.write(`${line}\n`),
            err: (line) => process.stderr.write(`${line}\n`),
          },
        );
      },
    );
}

export async function compileFiles(
  options: CompileOptions,
  output: ValidateOutput,
): Promise<number> {
  try {
    const [workloadSource, ...meshSources] = await readSources([
      options.workloads,
      ...options.files,
    ]);
    if (workloadSource === undefined) return EXIT_UNREADABLE;
    const workloads = loadTypedDocument(
      workloadSource.file,
      workloadSource.text,
      workloadListSchema,
    );
    const mesh = loadMeshConfig(meshSources);
    const issues = [...(workloads.ok ? [] : workloads.issues), ...mesh.issues];
    if (!workloads.ok || issues.length > 0) {
      for (const issue of issues) output.err(formatIssue(issue));
      return EXIT_INVALID;
    }
    const snapshots = compileSnapshots({
      resources: mesh.resources.map((r) => r.resource),
      workloads: workloads.value.workloads,
      version: options.version,
    });
    await mkdir(options.out, { recursive: true });
    for (const [id, snapshot] of snapshots) {
      const file = join(options.out, `${id}.snapshot.json`);
      await writeFile(file, `${JSON.stringify(snapshot, null, 2)}\n`);
      output.out(
        `${file}  ${snapshot.hash.slice(0, 12)}  ${snapshot.upstreams.length} upstream(s), ${snapshot.clusters.length} cluster(s)`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof UnreadableFileError) {
      output.err(error.message);
      return EXIT_UNREADABLE;
    }
    if (error instanceof MeshConfigError) {
      for (const issue of error.issues) output.err(formatIssue(issue));
      return EXIT_INVALID;
    }
    throw error;
  }
}
