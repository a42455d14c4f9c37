// Fault under load: 50 configuration changes in a row through the controller, each applied as a
// revision, pushed, and acknowledged by the client proxy before the next. Every one moves the
// canary split, every other one the route's timeout and retries, and every tenth the connection
// pool size (5 pool replacements: a new pool per size, resuming the old one's TLS session, the
// old one draining). Not one request may fail.

import { afterAll, describe, expect, it } from 'vitest';
import { meshYaml, NAMESPACE, ReliabilityMesh, sleep } from './reliability/mesh.ts';
import { OpenLoopLoad } from './reliability/open-loop.ts';
import { chooseRate, recordResult, reliabilitySettings } from './reliability/scenario.ts';

const settings = reliabilitySettings();
const PUSHES = 50;
const WARMUP_MS = 2_000;
const AFTER_MS = 2_000;

/** Full (not resumed) mTLS handshakes the client proxy has made to the servers. */
async function fullHandshakes(mesh: ReliabilityMesh): Promise<number> {
  const text = await (
    await fetch(`http://127.0.0.1:${mesh.proxy('client-1').ports.admin}/metrics`)
  ).text();
  const line = /^weft_tls_handshakes_total\{direction="outbound",resumed="false"\} (\d+)$/m.exec(
    text,
  );
  return Number(line?.[1] ?? 0);
}

/** The n-th configuration (from 0): the split each time, timeout and retries every other, pool every tenth. */
function configuration(localPort: number, n: number): string {
  const v1 = n % 2 === 0 ? 70 : 30;
  const pool = Math.floor(n / 10) % 2 === 0 ? 64 : 128;
  const attempts = n % 4 < 2 ? 2 : 3;
  return meshYaml(localPort, {
    rules: `    - backendRefs:
        - { name: server, version: v1, weight: ${v1} }
        - { name: server, version: v2, weight: ${100 - v1} }
      timeouts: { request: ${n % 4 < 2 ? 10 : 12}s }
      retry: { attempts: ${attempts}, retryOn: [connect-failure, reset, gateway-error] }`,
    extra: `---
apiVersion: weft.dev/v1alpha1
kind: TrafficPolicy
metadata: { name: server, namespace: ${NAMESPACE} }
spec:
  targetRef: { name: server }
  connectionPool: { maxConnections: ${pool} }`,
  });
}

describe('reliability: config pushes under load', () => {
  let mesh: ReliabilityMesh | undefined;
  afterAll(async () => {
    await mesh?.close();
  });

  it(`applies ${PUSHES} pushes in a row through the controller with 0 failed requests`, async () => {
    mesh = await ReliabilityMesh.start({ name: 'config-push', proxyBin: settings.proxyBin });
    const chosen = await chooseRate(mesh, settings);
    const load = new OpenLoopLoad({ url: mesh.url, rate: chosen.rate });
    await sleep(WARMUP_MS);
    const fullBefore = await fullHandshakes(mesh);
    load.mark('pushing');
    const acked: string[] = [];
    const propagationMs: number[] = [];
    for (let n = 0; n < PUSHES; n++) {
      const started = performance.now();
      const applied = await mesh.api.config.applyYaml.mutate({
        yaml: configuration(mesh.localPort, n),
        message: `push ${n + 1}`,
      });
      expect(applied.changed).toBe(true);
      await mesh.waitSynced((fleet) => {
        const version = fleet.find((p) => p.id === 'client-1')?.ackedVersion;
        if (!version?.startsWith(`r${applied.revision}.`)) return false;
        acked.push(version);
        return true;
      });
      propagationMs.push(Math.round(performance.now() - started));
    }
    load.mark('pushed');
    const fullDuring = (await fullHandshakes(mesh)) - fullBefore;
    await sleep(AFTER_MS);
    const report = await load.stop();
    const config = (await (
      await fetch(`http://127.0.0.1:${mesh.proxy('client-1').ports.admin}/config`)
    ).json()) as { version: string };
    const sorted = [...propagationMs].sort((a, b) => a - b);
    await recordResult('config-push', {
      chosen,
      load: report,
      pushes: PUSHES,
      fullHandshakesDuringPushes: fullDuring,
      applyToAckMs: {
        p50: sorted[Math.floor(sorted.length / 2)],
        max: sorted[sorted.length - 1],
      },
    });
    expect(report.failures).toEqual({});
    expect(new Set(acked).size).toBe(PUSHES);
    // 5 of the pushes replace the pools (a new size): their connections resume the TLS session
    // of the pool before, rather than each paying a full handshake.
    expect(fullDuring).toBeLessThanOrEqual(2);
    expect(config.version).toBe(acked[acked.length - 1]);
  }, 120_000);
});
