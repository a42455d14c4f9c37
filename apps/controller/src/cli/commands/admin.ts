// `weft admin create`: an operator account written straight to the database, for the first
// admin (later ones are created through the API by an admin).

import type { Command } from 'commander';
import { Option } from 'commander';
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { usernameSchema } from '../../auth/usernames.ts';
import { openDatabase } from '../../db/database.ts';
import { readEnv } from '../../env.ts';
import { UserOperations } from '../../operations/users.ts';
import { AuditRepository } from '../../repositories/audit.ts';
import { UserRepository } from '../../repositories/users.ts';

export function registerAdminCommand(program: Command): void {
  program
    .command('admin')
    .description('accounts, directly in the database')
    .command('create')
    .description('create a user; the password is read from standard input')
    .requiredOption('-u, --username <name>', 'the new user')
    .addOption(
      new Option('-r, --role <role>', 'what the user may do')
        .choices(['viewer', 'operator', 'admin'])
        .default('admin'),
    )
    .option('--db <file>', 'SQLite database file (WEFT_DB)')
    .action(async (options: { username: string; role: string; db?: string }) => {
      const username = usernameSchema.safeParse(options.username);
      if (!username.success) {
        process.stderr.write(
          `--username ${JSON.stringify(options.username)}: ${username.error.issues[0]?.message}\n`,
        );
        process.exitCode = 2;
        return;
      }
      const password = (await readStdin()).replace(/\r?\n$/, '');
      if (password.length < MIN_PASSWORD_LENGTH) {
        process.stderr.write(
          `the password (standard input) must be at least ${MIN_PASSWORD_LENGTH} characters\n`,
        );
        process.exitCode = 2;
        return;
      }
      const env = readEnv({
        ...process.env,
        ...(options.db === undefined ? {} : { WEFT_DB: options.db }),
      });
      const { db } = await openDatabase(env.WEFT_DB);
      try {
        const role = options.role.toUpperCase() as 'VIEWER' | 'OPERATOR' | 'ADMIN';
        const users = new UserOperations(new UserRepository(db), new AuditRepository(db));
        const user = await users.create({ username: options.username, password, role }, 'cli');
        process.stdout.write(`created ${user.username} (${role.toLowerCase()})\n`);
      } finally {
        await db.$disconnect();
      }
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
