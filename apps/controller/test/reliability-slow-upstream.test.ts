// Fault under load: the upstream becomes slow (every answer 8 s late) and then fast again. The
// route's 1 s timeout must fire (504), the circuit breaker (max requests in flight) must turn the
// excess away at once (503 circuit-open) instead of letting it queue, no request may hang, and
// once the upstream is fast again every new request must succeed.

import { afterAll, describe, expect, it } from 'vitest';
import { meshYaml, NAMESPACE, ReliabilityMesh, sleep } from './reliability/mesh.ts';
import { OpenLoopLoad } from './reliability/open-loop.ts';
import { chooseRate, recordResult, reliabilitySettings } from './reliability/scenario.ts';

const settings = reliabilitySettings();
const ROUTE_TIMEOUT_MS = 1_000;
const SLOW_DELAY_MS = 8_000;
/**
 * The breaker's limit (max requests in flight) as a share of the rate, at least MIN_BREAKER:
 * slow, R req/s wait ROUTE_TIMEOUT_MS each, so about R would be in flight, ten times the limit;
 * fast, a few milliseconds each, far under it. The limit also sets what the slowdown costs:
 * every request it lets through ends in a timeout, which costs its mTLS connection (HTTP/1.1
 * cannot cancel a request any other way) and the next request a handshake on both proxies.
 * At 0.4 × R that alone saturated the calling proxy (measured: ~500 reconnects/s, 97% of a
 * core at 600 req/s); at 0.1 × R it stays near 60% at 1,000 req/s.
 */
const BREAKER_SHARE_OF_RATE = 0.1;
const MIN_BREAKER = 50;
const WARMUP_MS = 2_000;
const RECOVERY_MS = 5_000;
/** Requests in flight when the upstream turns fast still end by their timeout. */
const SETTLE_MS = ROUTE_TIMEOUT_MS + 1_000;
const RULES = `    - backendRefs: [{ name: server }]
      timeouts: { request: ${ROUTE_TIMEOUT_MS}ms }`;

describe('reliability: a slow upstream under load', () => {
  let mesh: ReliabilityMesh | undefined;
  afterAll(async () => {
    await mesh?.close();
  });

  it(
    'times out with 504, fails fast with 503 at the breaker, hangs nothing, and recovers',
    async () => {
      mesh = await ReliabilityMesh.start({
        name: 'slow-upstream',
        proxyBin: settings.proxyBin,
        settings: { rules: RULES },
      });
      const chosen = await chooseRate(mesh, settings);
      const maxRequests = Math.max(MIN_BREAKER, Math.round(chosen.rate * BREAKER_SHARE_OF_RATE));
      const applied = await mesh.api.config.applyYaml.mutate({
        yaml: meshYaml(mesh.localPort, {
          rules: RULES,
          extra: `---
apiVersion: weft.dev/v1alpha1
kind: TrafficPolicy
metadata: { name: server, namespace: ${NAMESPACE} }
spec:
  targetRef: { name: server }
  connectionPool: { maxRequests: ${maxRequests} }`,
        }),
        message: 'breaker',
      });
      await mesh.waitSynced((fleet) =>
        fleet.some(
          (p) => p.id === 'client-1' && p.ackedVersion?.startsWith(`r${applied.revision}.`),
        ),
      );

      const load = new OpenLoopLoad({ url: mesh.url, rate: chosen.rate });
      await sleep(WARMUP_MS);
      const beforeSlow = load.progress().failed;
      load.mark('slow');
      for (const service of mesh.services.values())
        service.send(JSON.stringify({ delayMs: SLOW_DELAY_MS }));
      await sleep(settings.holdS * 1_000);
      load.mark('fast');
      const fastAt = load.elapsedMs();
      for (const service of mesh.services.values()) service.send(JSON.stringify({ delayMs: 0 }));
      await sleep(RECOVERY_MS);
      const report = await load.stop();
      const afterRecovery = load.failedAfter(fastAt + SETTLE_MS);
      await recordResult('slow-upstream', {
        chosen,
        load: report,
        routeTimeoutMs: ROUTE_TIMEOUT_MS,
        slowDelayMs: SLOW_DELAY_MS,
        breakerMaxRequests: maxRequests,
        holdS: settings.holdS,
        failedBeforeSlow: beforeSlow,
        failedAfterRecovery: afterRecovery,
      });

      expect(beforeSlow).toBe(0);
      expect(report.failures['504 upstream-timeout']).toBeGreaterThan(0);
      expect(report.failures['503 circuit-open']).toBeGreaterThan(0);
      const latency = report.failureLatencyMs;
      // Fail-fast: turned away without waiting for the upstream or its timeout.
      expect(latency['503 circuit-open']?.p50).toBeLessThan(ROUTE_TIMEOUT_MS / 4);
      // The timeout fires at its time, not before, and nothing waits for the slow answer
      // (the margin is for a loaded machine's event loop lag).
      expect(latency['504 upstream-timeout']?.p50).toBeGreaterThanOrEqual(ROUTE_TIMEOUT_MS * 0.99);
      expect(latency['504 upstream-timeout']?.p50).toBeLessThan(ROUTE_TIMEOUT_MS * 2);
      expect(report.timedOut).toBe(0);
      expect(report.slowestMs).toBeLessThan(SLOW_DELAY_MS / 2);
      expect(
        Object.keys(report.failures).filter(
          (kind) => kind !== '504 upstream-timeout' && kind !== '503 circuit-open',
        ),
      ).toEqual([]);
      expect(afterRecovery).toBe(0);
    },
    90_000 + settings.holdS * 1_000,
  );
});
