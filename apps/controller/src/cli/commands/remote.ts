// Commands that talk to a running controller about configuration: login, apply, diff, get,
// revisions, rollback, canary.

import type { Command } from 'commander';
import { stringify } from 'yaml';
import {
  apiClient,
  DEFAULT_NAMESPACE,
  DEFAULT_SERVER,
  describeApiError,
  saveCredentials,
} from '../api-client.ts';
import { type Client, print, readYaml, remote } from './remote-action.ts';

const DEFAULT_WAIT_SECONDS = 60;
const POLL_MS = 250;

/** Prints "applied by k/n proxies" as it changes, until all affected proxies applied it. */
async function waitForPropagation(
  client: Client,
  revision: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const state = await client.revisions.propagation.query({ id: revision });
    const line = `applied by ${state.applied}/${state.affected} proxies`;
    if (line !== last) print(line);
    last = line;
    for (const nack of state.nacked) print(`  ${nack.proxy} refused it: ${nack.error}`);
    if (state.nacked.length > 0)
      throw new Error(`revision ${revision} was refused by ${state.nacked.length} proxy(ies)`);
    if (state.completedInMs !== null)
      return print(`revision ${revision} in force everywhere after ${state.completedInMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(
    `revision ${revision} not applied everywhere within ${timeoutMs / 1_000} s (${last})`,
  );
}

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
    .option('--wait', 'wait until every proxy the change affects has applied it, showing progress')
    .option(
      '--timeout <seconds>',
      'with --wait: give up after this long',
      String(DEFAULT_WAIT_SECONDS),
    )
    .action(
      remote(
        async (
          client,
          options: { file: string; message: string; wait?: boolean; timeout: string },
        ) => {
          const result = await client.config.applyYaml.mutate({
            ...(await readYaml(options.file)),
            message: options.message,
          });
          if (!result.changed) return print(`unchanged (revision ${result.revision ?? 'none'})`);
          print(`revision ${result.revision}`);
          for (const change of result.changes) print(`  ${change.action.padEnd(8)} ${change.key}`);
          if (options.wait)
            await waitForPropagation(client, result.revision, Number(options.timeout) * 1_000);
        },
      ),
    );

  program
    .command('canary')
    .description('canary weights on a live route')
    .command('set')
    .description('set version weights, e.g. weft canary set catalog v1=70 v2=30')
    .argument('<route>', 'the HTTPRoute')
    .argument('<weights...>', 'version=weight pairs')
    .option('-n, --namespace <namespace>', 'the route namespace', DEFAULT_NAMESPACE)
    .option('--wait', 'wait until every affected proxy has applied it')
    .action(
      remote(
        async (
          client,
          route: string,
          pairs: string[],
          options: { namespace: string; wait?: boolean },
        ) => {
          const weights: Record<string, number> = {};
          for (const pair of pairs) {
            const match = /^([a-z0-9-]+)=(\d+)$/.exec(pair);
            if (match?.[1] === undefined) throw new Error(`"${pair}" is not version=weight`);
            weights[match[1]] = Number(match[2]);
          }
          const result = await client.routes.setCanaryWeights.mutate({
            namespace: options.namespace,
            route,
            weights,
          });
          if (!result.changed || result.revision === null) return print('unchanged');
          print(`revision ${result.revision}: ${pairs.join(' ')}`);
          if (options.wait)
            await waitForPropagation(client, result.revision, DEFAULT_WAIT_SECONDS * 1_000);
        },
      ),
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
