// The nginx path: nginx A -> mTLS -> nginx B -> service, each nginx its own master and one
// worker under its own prefix, with the same test CA as the Weft proxies.

import { readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BenchPki, issueNginxServerCert, NGINX_SERVER_NAME } from './certificates.ts';
import { freePorts, LOOPBACK } from './free-ports.ts';
import { nginxConfA, nginxConfB } from './nginx-conf.ts';
import type { Handshakes, PathUnderTest, Sidecar } from './path.ts';
import { childPids } from './proc-stats.ts';
import type { Child, Supervisor } from './supervisor.ts';
import { waitFor200 } from './wait-ready.ts';

const START_TIMEOUT_MS = 10_000;
/** Workers (run as an unprivileged user when the master is root) must reach their temp paths. */
export const TRAVERSABLE = 0o711;

export interface NginxPathParams {
  readonly supervisor: Supervisor;
  readonly nginx: string;
  readonly dir: string;
  readonly bench: BenchPki;
  readonly servicePort: number;
}

export async function startNginxPath(params: NginxPathParams): Promise<PathUnderTest> {
  const { supervisor, dir } = params;
  const ports = await freePorts(['a', 'b']);
  const prefixA = join(dir, 'nginx-a');
  const prefixB = join(dir, 'nginx-b');
  await Promise.all([mkdir(prefixA), mkdir(prefixB)]);
  await Promise.all([dir, prefixA, prefixB].map((path) => chmod(path, TRAVERSABLE)));
  const serverTls = await issueNginxServerCert(params.bench, dir);
  const handshakeLog = join(prefixB, 'handshakes.log');
  await writeFile(
    join(prefixB, 'nginx.conf'),
    nginxConfB({
      prefix: prefixB,
      port: ports.b,
      servicePort: params.servicePort,
      tls: serverTls,
      handshakeLog,
    }),
  );
  await writeFile(
    join(prefixA, 'nginx.conf'),
    nginxConfA({
      prefix: prefixA,
      port: ports.a,
      peerPort: ports.b,
      peerName: NGINX_SERVER_NAME,
      tls: params.bench.client,
    }),
  );
  const start = (label: string, prefix: string): Child =>
    supervisor.start(label, params.nginx, [
      '-p',
      prefix,
      '-c',
      join(prefix, 'nginx.conf'),
      // Its error log goes to stderr, which the supervisor keeps in bench/results/logs.
      '-e',
      'stderr',
    ]);
  const b = start('nginx-b', prefixB);
  const a = start('nginx-a', prefixA);
  const sidecars = [sidecar('A', a), sidecar('B', b)];
  // A master stopped with SIGKILL would leave its worker behind.
  supervisor.onStop(async () => {
    for (const worker of sidecars.flatMap((entry) => entry.knownWorkers)) killIfNginx(worker);
  });
  const url = `http://${LOOPBACK}:${ports.a}/`;
  try {
    await waitFor200(url, START_TIMEOUT_MS, [a, b]);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${a.logTail()}\n${b.logTail()}`.trimEnd());
  }
  return {
    name: 'nginx',
    url,
    sidecars,
    handshakes: () => countHandshakes(handshakeLog),
    saveDiagnostics: (logDir) => copyFile(handshakeLog, join(logDir, 'nginx-b-handshakes.log')),
  };
}

function sidecar(label: string, child: Child): Sidecar & { knownWorkers: number[] } {
  const knownWorkers: number[] = [];
  return {
    label,
    child,
    knownWorkers,
    pids: () => {
      const master = child.process.pid;
      if (master === undefined) return [];
      const workers = childPids(master);
      for (const worker of workers) if (!knownWorkers.includes(worker)) knownWorkers.push(worker);
      return [master, ...workers];
    },
  };
}

/** B logs "." for each new connection whose session was new, "r" for a resumed one. */
async function countHandshakes(log: string): Promise<Handshakes> {
  const lines = (await readFile(log, 'utf8').catch(() => '')).split('\n');
  return {
    full: lines.filter((line) => line === '.').length,
    resumed: lines.filter((line) => line === 'r').length,
  };
}

function killIfNginx(pid: number): void {
  // Checked by name, so a recycled pid of some other program is left alone.
  if (!readOrEmpty(`/proc/${pid}/stat`).includes('(nginx)')) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
