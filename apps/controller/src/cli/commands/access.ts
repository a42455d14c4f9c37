// Taking access back from the command line: `weft api-token` (API tokens for the CLI and
// automation; `weft token` is the proxies' join tokens) and `weft user` (list, set-role, disable,
// enable).

import { parseDuration } from '@weft/mesh-config';
import { Argument, type Command, Option } from 'commander';
import { print, remote } from './remote-action.ts';

const HOUR_MS = 3_600_000;

interface TokenRow {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly role: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

function tokenState(token: TokenRow, now: number): string {
  if (token.revokedAt !== null) return `revoked ${new Date(token.revokedAt).toISOString()}`;
  if (token.expiresAt === null) return 'never expires';
  const expiresAt = new Date(token.expiresAt);
  return `${expiresAt.getTime() <= now ? 'expired' : 'expires'} ${expiresAt.toISOString()}`;
}

function printTokens(tokens: readonly TokenRow[]): void {
  const now = Date.now();
  print(['ID', 'USER', 'NAME', 'ROLE', 'CREATED', 'STATE'].join('\t'));
  for (const token of tokens) {
    print(
      [
        token.id,
        token.username,
        token.name,
        token.role.toLowerCase(),
        new Date(token.createdAt).toISOString(),
        tokenState(token, now),
      ].join('\t'),
    );
  }
}

export function registerAccessCommands(program: Command): void {
  const apiToken = program
    .command('api-token')
    .description('API tokens for the CLI and automation (join tokens for proxies: weft token)');
  apiToken
    .command('list')
    .description('your API tokens; an admin lists everyone’s with --all or one user’s with --user')
    .option('--all', 'every user’s tokens (admin)')
    .option('--user <name>', 'this user’s tokens (admin)')
    .action(
      remote(async (client, options: { all?: boolean; user?: string }) => {
        if (options.all === true || options.user !== undefined) {
          printTokens(
            await client.apiTokens.list.query(
              options.user === undefined ? {} : { username: options.user },
            ),
          );
        } else {
          printTokens(await client.apiTokens.mine.query());
        }
      }),
    );
  apiToken
    .command('create')
    .description('a token for yourself, shown once; at most your role and the longest lifetime')
    .requiredOption('--name <name>', 'what it is for, e.g. ci-deploy')
    .option('--ttl <duration>', 'how long it lives, e.g. 720h (default: the controller’s)')
    .addOption(
      new Option('-r, --role <role>', 'a lower role than yours').choices([
        'viewer',
        'operator',
        'admin',
      ]),
    )
    .action(
      remote(async (client, options: { name: string; ttl?: string; role?: string }) => {
        const ttlMs = options.ttl === undefined ? undefined : parseDuration(options.ttl);
        if (options.ttl !== undefined && (ttlMs === undefined || ttlMs <= 0))
          throw new Error(`--ttl must be a duration such as 720h, got "${options.ttl}"`);
        const created = await client.apiTokens.create.mutate({
          name: options.name,
          ...(ttlMs === undefined ? {} : { expiresInHours: ttlMs / HOUR_MS }),
          ...(options.role === undefined
            ? {}
            : { role: options.role.toUpperCase() as 'VIEWER' | 'OPERATOR' | 'ADMIN' }),
        });
        print(created.token);
        process.stderr.write(
          `API token ${created.id} (${created.role.toLowerCase()}), expires ${new Date(created.expiresAt).toISOString()}\n`,
        );
      }),
    );
  apiToken
    .command('revoke')
    .description('revoke a token at once (yours; an admin revokes anyone’s)')
    .argument('<id>', 'the token id, from weft api-token list')
    .action(
      remote(async (client, id: string) => {
        const revoked = await client.apiTokens.revoke.mutate({ id });
        print(`revoked API token ${revoked.id} (${revoked.name}) of ${revoked.username}`);
      }),
    );

  const user = program.command('user').description('operators and their access (admin)');
  user
    .command('list')
    .description('every user, their role and whether they are disabled')
    .action(
      remote(async (client) => {
        print(['USER', 'ROLE', 'CREATED', 'STATE'].join('\t'));
        for (const u of await client.users.list.query()) {
          print(
            [
              u.username,
              u.role.toLowerCase(),
              new Date(u.createdAt).toISOString(),
              u.disabledAt === null
                ? 'enabled'
                : `disabled ${new Date(u.disabledAt).toISOString()}`,
            ].join('\t'),
          );
        }
      }),
    );
  user
    .command('set-role')
    .description('give a user another role, from their next request on (not the last admin’s)')
    .argument('<name>', 'the user')
    .addArgument(new Argument('<role>', 'the new role').choices(['viewer', 'operator', 'admin']))
    .action(
      remote(async (client, username: string, role: string) => {
        const changed = await client.users.setRole.mutate({
          username,
          role: role.toUpperCase() as 'VIEWER' | 'OPERATOR' | 'ADMIN',
        });
        print(`${changed.username} is now ${changed.role.toLowerCase()}`);
      }),
    );
  user
    .command('disable')
    .description('end the user’s sessions and revoke their API tokens at once; sign-in refused')
    .argument('<name>', 'the user')
    .action(
      remote(async (client, username: string) => {
        await client.users.disable.mutate({ username });
        print(`disabled ${username}: sessions ended, API tokens revoked`);
      }),
    );
  user
    .command('enable')
    .description('let a disabled user sign in again (their old tokens stay revoked)')
    .argument('<name>', 'the user')
    .action(
      remote(async (client, username: string) => {
        await client.users.enable.mutate({ username });
        print(`enabled ${username}`);
      }),
    );
}
