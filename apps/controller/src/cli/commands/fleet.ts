// Commands about the fleet: join tokens, proxy sync status, certificates.

import { parseDuration } from '@weft/mesh-config';
import type { Command } from 'commander';
import { DEFAULT_NAMESPACE } from '../api-client.ts';
import { print, remote } from './remote-action.ts';

export function registerFleetCommands(program: Command): void {
  const token = program.command('token').description('join tokens for proxies');
  token
    .command('create')
    .description('create a join token for one service; it is shown once')
    .requiredOption('--service <name>', 'the service proxies will join as')
    .option('-n, --namespace <namespace>', 'its namespace', DEFAULT_NAMESPACE)
    .option('--ttl <duration>', 'how long it can be used, e.g. 24h', '24h')
    .option('--max-uses <n>', 'how many proxies may use it (default: any number until it expires)')
    .action(
      remote(
        async (
          client,
          options: { service: string; namespace: string; ttl: string; maxUses?: string },
        ) => {
          const ttlMs = parseDuration(options.ttl);
          if (ttlMs === undefined)
            throw new Error(`--ttl must be a duration such as 24h, got "${options.ttl}"`);
          const created = await client.tokens.create.mutate({
            service: options.service,
            namespace: options.namespace,
            expiresInHours: ttlMs / 3_600_000,
            ...(options.maxUses === undefined ? {} : { maxUses: Number(options.maxUses) }),
          });
          print(created.token);
          process.stderr.write(
            `join token for ${options.namespace}/${options.service}, expires ${new Date(created.expiresAt).toISOString()}\n`,
          );
        },
      ),
    );

  token
    .command('list')
    .description('join tokens not revoked: service, uses, expiry (never the secret)')
    .action(
      remote(async (client) => {
        const now = Date.now();
        print(['ID', 'SERVICE', 'USES', 'CREATED BY', 'STATE'].join('\t'));
        for (const t of await client.tokens.list.query()) {
          const expiresAt = new Date(t.expiresAt);
          print(
            [
              t.id,
              `${t.namespace}/${t.service}`,
              `${t.uses}/${t.maxUses ?? 'any'}`,
              t.createdBy,
              `${expiresAt.getTime() <= now ? 'expired' : 'expires'} ${expiresAt.toISOString()}`,
            ].join('\t'),
          );
        }
      }),
    );
  token
    .command('expire')
    .description('end a join token now: no proxy can bootstrap with it any more')
    .argument('<id>', 'the token id, from weft token list')
    .action(
      remote(async (client, id: string) => {
        const expired = await client.tokens.expire.mutate({ id });
        print(
          `expired join token ${expired.id} for ${expired.namespace}/${expired.service} (${expired.uses} uses)`,
        );
      }),
    );

  program
    .command('proxy-status')
    .description(
      'every proxy: service, version, address, config sync state, certificate, last heartbeat',
    )
    .action(
      remote(async (client) => {
        print(
          ['PROXY', 'SERVICE', 'VERSION', 'ADDRESS', 'SYNC', 'APPLIED', 'SENT', 'LAST SEEN'].join(
            '\t',
          ),
        );
        for (const p of await client.proxies.list.query()) {
          print(
            [
              p.id,
              `${p.namespace}/${p.service}`,
              p.version ?? '-',
              `${p.address}:${p.port}`,
              p.syncState + (p.nackError === null ? '' : ` (${p.nackError})`),
              p.ackedVersion ?? '-',
              p.sentVersion ?? '-',
              new Date(p.lastHeartbeatAt).toISOString(),
            ].join('\t'),
          );
        }
      }),
    );

  program
    .command('proxy')
    .description('one proxy of the fleet')
    .command('remove <id>')
    .description(
      'remove a proxy that is gone for good: it leaves every endpoint list and must bootstrap again to return',
    )
    .action(
      remote(async (client, id: string) => {
        await client.proxies.remove.mutate({ id });
        print(`removed proxy ${id}`);
      }),
    );

  const ca = program.command('ca').description('the mesh certificate authority');
  ca.command('rotate-root')
    .description(
      'rotate the root in two steps: --prepare (every proxy learns the new root), then --activate (it signs)',
    )
    .option('--prepare', 'make the new root and send it to every proxy')
    .option('--activate', 'sign with the new root; refused until every proxy is SYNCED')
    .option('--force', 'with --activate: go ahead past DISCONNECTED proxies (gone for good)')
    .action(
      remote(
        async (client, options: { prepare?: boolean; activate?: boolean; force?: boolean }) => {
          if (options.prepare === options.activate)
            throw new Error('give exactly one of --prepare and --activate');
          if (options.force === true && options.activate !== true)
            throw new Error('--force goes with --activate');
          if (options.prepare) {
            const prepared = await client.certificates.prepareRootRotation.mutate();
            print(
              `new root ${prepared.root} (intermediate ${prepared.intermediate}) sent to every proxy; activate once weft proxy-status shows them all SYNCED`,
            );
          } else {
            const activated = await client.certificates.activateRootRotation.mutate({
              force: options.force === true,
            });
            print(
              `root ${activated.root} now signs (intermediate ${activated.intermediate}); the old root stays trusted until it expires`,
            );
          }
        },
      ),
    );
  ca.command('rotate-intermediate')
    .description(
      'a new issuing intermediate under the same root; certificates already issued stay valid',
    )
    .action(
      remote(async (client) => {
        const rotated = await client.certificates.rotateIntermediate.mutate();
        print(
          `intermediate ${rotated.previous} superseded by ${rotated.current}; proxies move to it as they renew`,
        );
      }),
    );

  program
    .command('certs')
    .description('certificates, soonest expiry first')
    .option('--expiring <duration>', 'only those expiring within this, e.g. 24h')
    .action(
      remote(async (client, options: { expiring?: string }) => {
        const within = options.expiring === undefined ? undefined : parseDuration(options.expiring);
        if (options.expiring !== undefined && within === undefined)
          throw new Error(`--expiring must be a duration such as 24h`);
        const now = Date.now();
        for (const c of await client.certificates.list.query({})) {
          const left = new Date(c.notAfter).getTime() - now;
          if (within !== undefined && left > within) continue;
          print(
            [
              c.kind.padEnd(12),
              c.status.padEnd(8),
              new Date(c.notAfter).toISOString(),
              `${(left / 3_600_000).toFixed(1)}h`,
              c.identity,
              c.serial,
            ].join('  '),
          );
        }
      }),
    );
}
