// Commands that talk to a running controller: login, apply, diff, get, revisions, rollback.

import type { Command } from 'commander';
import { stringify } from 'yaml';
import {
  apiClient,
  DEFAULT_SERVER,
  describeApiError,
  readCredentials,
  saveCredentials,
} from '../api-client.ts';
import { readSources, UnreadableFileError } from './read-sources.ts';

type Client = ReturnType<typeof apiClient>;

/** Runs a command against the API; any failure is printed and sets exit code 1. */
function remote<A extends unknown[]>(action: (client: Client, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await action(apiClient(await readCredentials()), ...args);
    } catch (error) {
      for (const line of error instanceof UnreadableFileError
        ? [error.message]
        : describeApiError(error)) {
        process.stderr.write(`${line}\n`);
      }
      process.exitCode = 1;
    }
  };
}

async function readYaml(file: string) {
  const [source] = await readSources([file]);
  return { file, yaml: source?.text ?? '' };
}

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export function registerRemoteCommands(program: Command): void {
  program
    .command('login')
    .description(
      'sign in to a controller and keep an API token in ~/.weft/credentials.json; the password is read from standard input',
    )
    .requiredOption('-u, --username <name>', 'your user')
    .option('-s, --server <url>', 'the controller', process.env.WEFT_SERVER ?? DEFAULT_SERVER)
    .action(async (options: { username: string; server: string }) => {
      try {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        const password = Buffer.concat(chunks)
          .toString('utf8')
          .replace(/\r?\n$/, '');
        const { token, user } = await apiClient({ server: options.server }).auth.login.mutate({
          username: options.username,
          password,
          mode: 'token',
          tokenName: 'weft-cli',
        });
        const file = await saveCredentials({
          server: options.server,
          ...(token === null ? {} : { token }),
        });
        print(
          `signed in to ${options.server} as ${user.username} (${user.role.toLowerCase()}); token kept in ${file}`,
        );
      } catch (error) {
        for (const line of describeApiError(error)) process.stderr.write(`${line}\n`);
        process.exitCode = 1;
      }
    });

  program
    .command('apply')
    .description(
      'apply mesh resources as a new revision (create or replace by kind, namespace and name)',
    )
    .requiredOption('-f, --file <file>', 'YAML file of resources')
    .option('-m, --message <text>', 'why: recorded with the revision', 'apply')
    .action(
      remote(async (client, options: { file: string; message: string }) => {
        const result = await client.config.applyYaml.mutate({
          ...(await readYaml(options.file)),
          message: options.message,
        });
        if (!result.changed) return print(`unchanged (revision ${result.revision ?? 'none'})`);
        print(`revision ${result.revision}`);
        for (const change of result.changes) print(`  ${change.action.padEnd(8)} ${change.key}`);
      }),
    );

  program
    .command('diff')
    .description('what applying a file would change')
    .requiredOption('-f, --file <file>', 'YAML file of resources')
    .action(
      remote(async (client, options: { file: string }) => {
        const changes = await client.config.diff.mutate(await readYaml(options.file));
        if (changes.length === 0) return print('no changes');
        for (const change of changes) print(`${change.action.padEnd(8)} ${change.key}`);
      }),
    );

  program
    .command('get')
    .description('resources in force, as YAML')
    .argument('[kind]', 'only this kind (e.g. HTTPRoute)')
    .action(
      remote(async (client, kind: string | undefined) => {
        const resources = (await client.config.current.query()).filter(
          (r) => kind === undefined || r.kind === kind,
        );
        process.stdout.write(resources.map((r) => stringify(r)).join('---\n'));
      }),
    );

  program
    .command('revisions')
    .description('the configuration history, newest first')
    .action(
      remote(async (client) => {
        for (const r of await client.revisions.list.query({ limit: 50 })) {
          print(
            `${String(r.id).padStart(5)}  ${new Date(r.createdAt).toISOString()}  ${r.author.padEnd(12)} ${r.source.toLowerCase().padEnd(8)} ${r.message} (${r.changes.length} change(s))`,
          );
        }
      }),
    );

  program
    .command('rollback')
    .description('restore the resource set of an earlier revision, as a new revision')
    .argument('<revision>', 'revision number')
    .action(
      remote(async (client, revision: string) => {
        const result = await client.revisions.rollback.mutate({ id: Number(revision) });
        print(
          result.changed
            ? `revision ${result.revision} restores revision ${revision}`
            : 'already in force',
        );
      }),
    );
}
