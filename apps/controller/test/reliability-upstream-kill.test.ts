// Fault under load: one of the two instances of `server` dies (SIGKILL), first its service process
// (its proxy answers for it), then, in a fresh mesh, its proxy. Idempotent GETs with the mesh's
// default retries and outlier detection: at most 0.1% of the client's requests may fail.
// The load runs on for WEFT_RELIABILITY_HOLD_S after the kill (8 s; 60 s in the long run, long
// enough for the controller to drop the dead proxy and for its ejection to expire and repeat).

import { afterEach, describe, expect, it } from 'vitest';
import { ReliabilityMesh, sleep } from './reliability/mesh.ts';
import { OpenLoopLoad } from './reliability/open-loop.ts';
import { chooseRate, recordResult, reliabilitySettings } from './reliability/scenario.ts';

const settings = reliabilitySettings();
const WARMUP_MS = 2_000;
const MAX_FAILED_SHARE = 0.001;
const TIMEOUT_MS = 90_000 + settings.holdS * 1_000;

async function ejections(mesh: ReliabilityMesh): Promise<number> {
  const text = await (
    await fetch(`http://127.0.0.1:${mesh.proxy('client-1').ports.admin}/metrics`)
  ).text();
  return [...text.matchAll(/^weft_outlier_ejections_total\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

describe('reliability: an upstream instance is killed under load', () => {
  let mesh: ReliabilityMesh | undefined;
  afterEach(async () => {
    await mesh?.close();
    mesh = undefined;
  });

  for (const target of ['service', 'proxy'] as const) {
    it(
      `loses at most 0.1% of requests when the ${target} of server-1 is SIGKILLed`,
      async () => {
        mesh = await ReliabilityMesh.start({
          name: `kill-${target}`,
          proxyBin: settings.proxyBin,
        });
        const chosen = await chooseRate(mesh, settings);
        const load = new OpenLoopLoad({ url: mesh.url, rate: chosen.rate });
        await sleep(WARMUP_MS);
        load.mark('killed');
        await (target === 'service' ? mesh.service('server-1') : mesh.proxy('server-1')).stop(
          'SIGKILL',
        );
        await sleep(settings.holdS * 1_000);
        const report = await load.stop();
        const ejected = await ejections(mesh);
        await recordResult(`upstream-kill-${target}`, {
          chosen,
          load: report,
          holdS: settings.holdS,
          ejections: ejected,
        });
        expect(report.timedOut).toBe(0);
        expect(report.failed).toBeLessThanOrEqual(Math.floor(report.sent * MAX_FAILED_SHARE));
        expect(ejected).toBeGreaterThanOrEqual(1);
      },
      TIMEOUT_MS,
    );
  }
});
