// The `weft` command line: one place where every command is registered.

import { Command } from 'commander';
import { registerAccessCommands } from './commands/access.ts';
import { registerAdminCommand } from './commands/admin.ts';
import { registerBackupCommands } from './commands/backup.ts';
import { registerCompileCommand } from './commands/compile.ts';
import { registerControllerCommand } from './commands/controller.ts';
import { registerFleetCommands } from './commands/fleet.ts';
import { registerPkiCommand } from './commands/pki.ts';
import { registerRemoteCommands } from './commands/remote.ts';
import { registerRolloutCommands } from './commands/rollout.ts';
import { registerValidateCommand } from './commands/validate.ts';

const program = new Command('weft')
  .description('Weft service mesh: validate configuration and operate the control plane')
  .version('0.1.0')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerValidateCommand(program);
registerCompileCommand(program);
registerPkiCommand(program);
registerControllerCommand(program);
registerAdminCommand(program);
registerRemoteCommands(program);
registerFleetCommands(program);
registerRolloutCommands(program);
registerBackupCommands(program);
registerAccessCommands(program);

await program.parseAsync(process.argv);
