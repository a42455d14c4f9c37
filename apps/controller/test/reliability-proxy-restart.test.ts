// Fault under load: a proxy restarts (SIGTERM, then started again on the same ports and state
// directory). A server's proxy: its caller retries elsewhere and comes back to it. The client's
// own proxy: the calls cut by the restart fail at once, the client reconnects, and afterwards
// nothing is left behind: no request hangs, no socket stays established or half-closed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE, ReliabilityMesh, sleep } from './reliability/mesh.ts';
import { DEFAULT_DEADLINE_MS, OpenLoopLoad } from './reliability/open-loop.ts';
import {
  type ChosenRate,
  chooseRate,
  recordResult,
  reliabilitySettings,
} from './reliability/scenario.ts';
import { tcpStates } from './reliability/tcp-sockets.ts';

const settings = reliabilitySettings();
const WARMUP_MS = 2_000;
const AFTER_MS = 3_000;
/** Sockets close within this once their peer is gone. */
const SETTLE_MS = 2_000;
const MAX_FAILED_SHARE = 0.001;
/**
 * A third of the capacity, not half: every process of this mesh shares two cores with the load,
 * and the restart itself takes ~0.5 s of CPU (the proxy's start) plus the controller's answer to
 * its return, within a second. At half the closed-loop capacity the machine already runs at ~70%
 * CPU in open loop; that burst saturated it, and the backlog grew faster than it drained (every
 * waiting request a new mTLS connection to open): 491 of 9,089 requests past the 5 s deadline
 * once, p99 2-4 s in a run out of three here. In production the restarting sidecar is on its
 * own machine; here its CPU is the path's.
 */
const SHARE_OF_CAPACITY = 0.35;
/** A restarted endpoint is tried again soon, so the test sees traffic return to it. */
const POLICY = `---
apiVersion: weft.dev/v1alpha1
kind: TrafficPolicy
metadata: { name: server, namespace: ${NAMESPACE} }
spec:
  targetRef: { name: server }
  outlierDetection: { baseEjectionTime: 2s }`;

describe('reliability: a proxy restarts under load', () => {
  let mesh: ReliabilityMesh;
  let chosen: ChosenRate;
  beforeAll(async () => {
    mesh = await ReliabilityMesh.start({
      name: 'proxy-restart',
      proxyBin: settings.proxyBin,
      settings: { extra: POLICY },
    });
    chosen = await chooseRate(mesh, settings, SHARE_OF_CAPACITY);
  }, 90_000);
  afterAll(async () => {
    await mesh?.close();
  });

  const meshPorts = () => [
    mesh.localPort,
    ...[...mesh.proxies.values()].map((p) => p.ports.inbound),
  ];

  it("restarts a server's proxy: the caller retries elsewhere, then uses it again", async () => {
    const load = new OpenLoopLoad({ url: mesh.url, rate: chosen.rate });
    await sleep(WARMUP_MS);
    load.mark('stopping');
    await mesh.proxy('server-1').stop('SIGTERM');
    load.mark('stopped');
    await mesh.proxy('server-1').start();
    load.mark('ready');
    await mesh.waitForAnswers(['server-1']);
    load.mark('serving-again');
    await sleep(AFTER_MS);
    const report = await load.stop();
    await recordResult('proxy-restart-server', { chosen, load: report });
    expect(report.timedOut).toBe(0);
    expect(report.failed).toBeLessThanOrEqual(Math.floor(report.sent * MAX_FAILED_SHARE));
  }, 90_000);

  it("restarts the client's own proxy: cut calls fail fast, the client reconnects, no socket is left", async () => {
    const load = new OpenLoopLoad({ url: mesh.url, rate: chosen.rate });
    await sleep(WARMUP_MS);
    load.mark('stopping');
    await mesh.proxy('client-1').stop('SIGTERM');
    load.mark('stopped');
    await mesh.proxy('client-1').start();
    const readyAt = load.elapsedMs();
    load.mark('ready');
    await sleep(AFTER_MS);
    const failedAfterReady = load.failedAfter(readyAt);
    const report = await load.stop();
    await sleep(SETTLE_MS);
    const sockets = tcpStates(meshPorts());
    const toClientProxy = tcpStates([mesh.localPort]);
    await recordResult('proxy-restart-client', {
      chosen,
      load: report,
      failedAfterReady,
      socketsAfter: sockets,
    });
    // Nothing hangs: every cut call failed at once, never by the client's deadline.
    expect(report.timedOut).toBe(0);
    expect(report.slowestMs).toBeLessThan(DEFAULT_DEADLINE_MS);
    expect(
      Object.keys(report.failures).filter(
        (kind) => !/^error (ECONNREFUSED|ECONNRESET)$/.test(kind),
      ),
    ).toEqual([]);
    expect(failedAfterReady).toBe(0);
    // The client reconnected: the calls after the restart were answered.
    expect(report.ok).toBeGreaterThan(chosen.rate * (AFTER_MS / 1_000) * 0.9);
    // Nothing left behind once the client is gone: no connection to its proxy stays open, and
    // no socket of the mesh is half-closed (its peer gone, itself never closed).
    expect(toClientProxy.ESTABLISHED ?? 0).toBe(0);
    expect(sockets.CLOSE_WAIT ?? 0).toBe(0);
  }, 90_000);
});
