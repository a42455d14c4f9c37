// What both demos share around their work: the flags, a log line writer, and a stop on
// Ctrl-C or SIGTERM that ends every child process and the traffic.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Children } from './processes.ts';

const DEFAULT_RATE_PER_SECOND = 20;
const DEFAULT_CONSOLE_PORT = 3000;

export interface Demo {
  readonly dir: string;
  readonly rate: number;
  /** Where the web console listens; 0 runs the demo without it. */
  readonly consolePort: number;
  readonly children: Children;
  /** Aborted when the demo stops: traffic generators watch it. */
  readonly stopped: AbortSignal;
  log(line: string): void;
  shutdown(code: number): Promise<void>;
}

export function startDemo(defaultDir: string): Demo {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: defaultDir },
      rate: { type: 'string', default: String(DEFAULT_RATE_PER_SECOND) },
      'console-port': { type: 'string', default: String(DEFAULT_CONSOLE_PORT) },
    },
  });
  const children = new Children();
  const stop = new AbortController();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    stop.abort();
    log('stopping the demo…');
    await children.stopAll();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  return {
    dir: resolve(values.dir),
    rate: Number(values.rate),
    consolePort: Number(values['console-port']),
    children,
    stopped: stop.signal,
    log,
    shutdown,
  };
}
