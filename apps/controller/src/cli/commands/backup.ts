// `weft backup` and `weft restore`: the controller's database as a directory (a consistent
// snapshot and a manifest), taken while the controller runs, and put back in place atomically.
// The sealing key is never in a backup: it stays where it is kept (WEFT_CA_KEY or the key file).

import type { Command } from 'commander';
import { readSealingKey, sealingKeyFileFor } from '../../ca/sealing-key.ts';
import { BackupError, createBackup } from '../../db/backup.ts';
import { restoreBackup } from '../../db/restore.ts';
import { readEnv } from '../../env.ts';

const EXIT_REFUSED = 1;

function databaseOption(db: string | undefined): string {
  return readEnv({ ...process.env, ...(db === undefined ? {} : { WEFT_DB: db }) }).WEFT_DB;
}

/** Prints a refusal (a BackupError or a bad key) as one line; anything else is a crash. */
async function refusing(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (
      !(error instanceof BackupError) &&
      (error as { code?: string }).code !== 'MESH_ERR_CA_KEY_SEALING'
    )
      throw error;
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = EXIT_REFUSED;
  }
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description(
      'write a consistent snapshot of the database (CA keys sealed inside) and a manifest into a new directory; safe while the controller runs',
    )
    .requiredOption('-o, --out <dir>', 'the backup directory to create')
    .option('--db <file>', 'SQLite database file (WEFT_DB)')
    .action((options: { out: string; db?: string }) =>
      refusing(async () => {
        const database = databaseOption(options.db);
        const keyFile = sealingKeyFileFor(database);
        const manifest = await createBackup({
          databaseFile: database,
          out: options.out,
          sealingKey: await readSealingKey(process.env.WEFT_CA_KEY, keyFile),
          sealingKeySource: process.env.WEFT_CA_KEY === undefined ? keyFile : 'WEFT_CA_KEY',
        });
        const { revisions, users, certificates } = manifest.counts;
        process.stdout.write(
          `backup of ${manifest.source} in ${options.out}: ${revisions} revisions, ${users} users, ${certificates} certificates, ${manifest.migrations.length} migrations\n`,
        );
        if (manifest.ca !== null)
          process.stdout.write(
            `the CA keys in it are sealed with key ${manifest.ca.sealingKeyFingerprint}, which is not in the backup: keep WEFT_CA_KEY or ${keyFile} safe, apart from it\n`,
          );
      }),
    );

  program
    .command('restore')
    .description(
      'check a backup and put it in place as the database (refused over an existing one, or one a controller has open, without --force)',
    )
    .argument('<backup>', 'a directory written by weft backup')
    .option('--db <file>', 'SQLite database file to restore into (WEFT_DB)')
    .option(
      '--ca-key-file <file>',
      'the sealing key the CA keys need (default: WEFT_CA_KEY, else the key file beside --db); copied beside the database',
    )
    .option('--force', 'replace an existing database (kept beside it), even one in use')
    .action((backup: string, options: { db?: string; caKeyFile?: string; force?: boolean }) =>
      refusing(async () => {
        const database = databaseOption(options.db);
        const keyFile = options.caKeyFile ?? sealingKeyFileFor(database);
        const fromEnv = options.caKeyFile === undefined ? process.env.WEFT_CA_KEY : undefined;
        const restored = await restoreBackup({
          backup,
          databaseFile: database,
          force: options.force === true,
          sealingKey: await readSealingKey(fromEnv, keyFile),
          sealingKeySource: fromEnv === undefined ? keyFile : 'WEFT_CA_KEY',
          installKey: options.caKeyFile !== undefined,
        });
        const { manifest } = restored;
        process.stdout.write(
          `restored ${backup} (taken ${manifest.createdAt}, ${manifest.counts.revisions} revisions) into ${restored.databaseFile}\n`,
        );
        if (restored.previous !== undefined)
          process.stdout.write(`the database that was there is kept as ${restored.previous}\n`);
        if (restored.keyFile !== undefined)
          process.stdout.write(`sealing key written to ${restored.keyFile} (0600)\n`);
        if (restored.pending.length > 0)
          process.stdout.write(
            `${restored.pending.length} newer migration(s) will be applied when the controller starts\n`,
          );
        if (restored.replacedInUse)
          process.stderr.write(
            'a controller had the old database open: stop it now, before starting one on the restored database\n',
          );
      }),
    );
}
