// weft-proxy: runs the sidecar from its config file until SIGTERM or SIGINT; SIGHUP (or a change
// to the snapshot or certificate files) rereads them without dropping a connection, and SIGHUP
// also reopens the access log file.

import { unwatchFile, watchFile } from 'node:fs';
import { formatIssue, MeshConfigError } from '@weft/mesh-config';
import { Command } from 'commander';
import { pino } from 'pino';
import { loadProxyConfig } from './config/proxy-config.ts';
import { startProxy } from './proxy.ts';

/** How often the snapshot and certificate files are checked for changes. */
const FILE_POLL_INTERVAL_MS = 1_000;

const program = new Command('weft-proxy')
  .description('Weft sidecar proxy: mTLS between services, routing from a snapshot')
  .requiredOption('-c, --config <file>', 'proxy configuration (ProxyConfig YAML)')
  .option(
    '--log-level <level>',
    'fatal, error, warn, info, debug',
    process.env.WEFT_LOG_LEVEL ?? 'info',
  )
  .parse();

const options = program.opts<{ config: string; logLevel: string }>();
const log = pino({ level: options.logLevel, base: { component: 'weft-proxy' } });

try {
  const config = await loadProxyConfig(options.config);
  const proxy = await startProxy(config, log.child({ workload: config.workload.id }));
  const watched = [
    config.snapshotFile,
    config.tls.certFile,
    config.tls.keyFile,
    config.tls.trustBundleFile,
  ].filter((file): file is string => file !== undefined);
  const reload = () => void proxy.reload();
  for (const file of watched) watchFile(file, { interval: FILE_POLL_INTERVAL_MS }, reload);
  process.on('SIGHUP', () => {
    void proxy.reopenLogs();
    reload();
  });
  const stop = async () => {
    for (const file of watched) unwatchFile(file, reload);
    await proxy.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  if (error instanceof MeshConfigError) {
    for (const issue of error.issues) process.stderr.write(`${formatIssue(issue)}\n`);
  } else {
    process.stderr.write(`weft-proxy: ${(error as Error).message}\n`);
  }
  process.exit(1);
}
