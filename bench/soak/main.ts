// npm run soak: a mesh (the controller, a client proxy, two instances of a service with their
// proxies, each its own process, proxies from the production bundle) under steady open-loop
// load for --duration, sampling every proxy's and the controller's resident memory and open file
// descriptors; at the end a table and PASS or FAIL (RSS growth < 10% from the post-warm-up
// baseline, no fd growth, 0 failed requests), also written to bench/results/soak.json.

import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  PROXY_BUNDLE,
  ReliabilityMesh,
  sleep,
} from '../../apps/controller/test/reliability/mesh.ts';
import { measureCapacity, OpenLoopLoad } from '../../apps/controller/test/reliability/open-loop.ts';
import { parseOptions, USAGE } from './options.ts';
import { formatReport, judge } from './report.ts';
import { ProcessSampler } from './samples.ts';

const RESULTS = join(import.meta.dirname, '../results');
/** Proxies upload telemetry this often, as in the demo: the controller ingests all along. */
const TELEMETRY_INTERVAL_MS = 2_000;
const PROGRESS_EVERY_MS = 60_000;
const EXIT_FAILED = 1;
const EXIT_INTERRUPTED = 130;
const MIB = 1_048_576;

const say = (line: string) => process.stderr.write(`[soak] ${line}\n`);

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const loadAtStart = loadavg()[0] ?? 0;
  say('starting the mesh: controller, 3 proxies (bundle), 2 services');
  const mesh = await ReliabilityMesh.start({
    name: 'soak',
    proxyBin: PROXY_BUNDLE,
    telemetryIntervalMs: TELEMETRY_INTERVAL_MS,
  });
  process.once('SIGINT', () => {
    say('interrupted; stopping');
    void mesh.close().finally(() => process.exit(EXIT_INTERRUPTED));
  });
  try {
    say(`work folder and logs: ${mesh.dir}`);
    const capacity = await measureCapacity(mesh.url);
    const rate = Math.max(1, Math.min(options.maxRate, Math.floor(capacity / 2)));
    say(
      `capacity ${capacity} req/s closed loop; soaking at ${rate} req/s for ${options.durationMs / 1_000} s`,
    );
    const load = new OpenLoopLoad({ url: mesh.url, rate });
    const sampler = new ProcessSampler(
      () => mesh.pids(),
      `${mesh.apiUrl}/metrics`,
      performance.now(),
    );
    await sampler.sample();
    sampler.every(options.sampleIntervalMs);
    const progress = setInterval(() => {
      const { sent, failed } = load.progress();
      const last = sampler.samples[sampler.samples.length - 1];
      const memory = Object.entries(last?.rssBytes ?? {})
        .filter(([name]) => !name.startsWith('service'))
        .map(([name, bytes]) => `${name} ${(bytes / MIB).toFixed(1)} MiB/${last?.fds[name]} fds`)
        .join(', ');
      say(`${Math.round(load.elapsedMs() / 1_000)} s: ${sent} sent, ${failed} failed; ${memory}`);
    }, PROGRESS_EVERY_MS);
    await sleep(options.durationMs);
    clearInterval(progress);
    sampler.stop();
    await sampler.sample();
    const report = await load.stop();
    const verdict = judge(sampler.samples, options.warmupMs / 1_000, report);
    const run = {
      capacity,
      durationS: options.durationMs / 1_000,
      warmupS: options.warmupMs / 1_000,
      sampleIntervalS: options.sampleIntervalMs / 1_000,
    };
    process.stdout.write(`${formatReport(verdict, report, run)}\n`);
    await mkdir(RESULTS, { recursive: true });
    await writeFile(
      join(RESULTS, 'soak.json'),
      `${JSON.stringify(
        {
          at: new Date().toISOString(),
          cores: availableParallelism(),
          loadAverage1m: { start: round(loadAtStart), end: round(loadavg()[0] ?? 0) },
          ...run,
          verdict,
          load: report,
          samples: sampler.samples,
        },
        null,
        2,
      )}\n`,
    );
    return verdict.pass ? 0 : EXIT_FAILED;
  } finally {
    await mesh.close();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(EXIT_FAILED);
  },
);
