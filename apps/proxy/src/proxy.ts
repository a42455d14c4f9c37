// The proxy, assembled: identity, snapshot store, inbound and outbound listeners, admin port.
// Everything it owns is started here and stopped here.

import { once } from 'node:events';
import type { Server } from 'node:net';
import { TrafficWindow } from '@weft/telemetry';
import type { Logger } from 'pino';
import { createAdminServer } from './admin/server.ts';
import type { ProxyConfig } from './config/proxy-config.ts';
import { ensureCertificate } from './control/bootstrap.ts';
import { ControllerWatch } from './control/controller-watch.ts';
import { followTrustBundle } from './control/trust-bundle.ts';
import type { GuardEvents } from './http/http-guard.ts';
import { createInboundHandler } from './inbound/handler.ts';
import { createInboundListener } from './inbound/listener.ts';
import { createProxyMetrics, type ProxyMetrics } from './metrics.ts';
import { EndpointHealth } from './outbound/concrete/endpoint-health.ts';
import { EndpointPools } from './outbound/endpoint/endpoint-pools.ts';
import { createOutboundHandler } from './outbound/handler.ts';
import { OutboundListeners } from './outbound/listeners.ts';
import { buildRuntime } from './runtime/runtime.ts';
import { SnapshotStore } from './runtime/snapshot-store.ts';
import { observeRequests } from './telemetry/request-observers.ts';
import { readIdentityFiles } from './tls/identity.ts';
import { IdentityHolder } from './tls/identity-holder.ts';

export interface RunningProxy {
  readonly config: ProxyConfig;
  readonly store: SnapshotStore;
  readonly identity: IdentityHolder;
  readonly metrics: ProxyMetrics;
  readonly ports: { inbound: number; admin: number; httpProxy: number | undefined };
  /** Rereads the certificate files and the snapshot file; a bad file keeps what is in force. */
  reload(): Promise<void>;
  /** Reopens the access log file, after logrotate moved it (SIGHUP). */
  reopenLogs(): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(config: ProxyConfig, log: Logger): Promise<RunningProxy> {
  const metrics = createProxyMetrics();
  const traffic = new TrafficWindow();
  if (config.controller !== undefined && (await ensureCertificate(config)) === 'bootstrapped') {
    log.info(
      { controller: config.controller.url },
      'bootstrapped: certificate issued by the controller',
    );
  }
  const identity = new IdentityHolder(await readIdentityFiles(config.tls));
  // Declared before the store that fills it: connections check it on every full handshake.
  let revoked: ReadonlySet<string> = new Set();
  const isRevoked = (serial: string) => revoked.has(serial);
  const pools = new EndpointPools(
    identity,
    (resumed) => metrics.handshakes.inc({ direction: 'outbound', resumed: String(resumed) }),
    isRevoked,
  );
  const health = new Map<string, EndpointHealth>();
  const store = new SnapshotStore(
    (snapshot) =>
      buildRuntime(snapshot, {
        pools,
        health: (workload, address, port) => {
          const key = `${workload} ${address}:${port}`;
          let entry = health.get(key);
          if (entry === undefined) {
            entry = new EndpointHealth(workload, address, port);
            health.set(key, entry);
          }
          return entry;
        },
        events: {
          onEjection: (cluster, endpoint) => {
            metrics.ejections.inc({ cluster });
            log.warn({ cluster, endpoint }, 'endpoint ejected by outlier detection');
          },
          onOverflow: (cluster, limit) => metrics.overflows.inc({ cluster, limit }),
          onRetry: (request, reason) =>
            metrics.retries.inc({ cluster: request.context.cluster ?? '', reason }),
        },
      }),
    config.workload.id,
    config.stateDir,
  );

  // Refusals at the listeners' HTTP edge: rare and cheap, counted where they happen.
  const guardEvents = (direction: 'inbound' | 'outbound'): GuardEvents => ({
    onRejected: (reason, code) => {
      metrics.httpRejections.inc({ direction, reason });
      log.debug({ direction, reason, code }, 'request refused at the listener');
    },
    onIdleTimeout: () => metrics.idleClosed.inc({ direction }),
    onConnectionLimit: () => {
      metrics.connectionLimitDrops.inc({ direction });
      log.debug(
        { direction, limit: config.limits.maxConnections },
        'connection over the limit closed',
      );
    },
  });

  // This proxy's tag on the request channel, which every proxy in the process shares.
  const tag = Object.freeze({ workload: config.workload.id });
  const observers = await observeRequests({
    proxy: tag,
    config,
    metrics,
    traffic,
    identity,
    runtime: () => store.current(),
    log,
  });

  const outbound = new OutboundListeners(
    config,
    (resolve) =>
      createOutboundHandler(
        {
          runtime: () => store.current(),
          retryBufferBytes: config.limits.retryBufferBytes,
          proxy: tag,
          sampleNewTrace: observers.sampleNewTrace,
        },
        resolve,
      ),
    (error) => log.error({ err: error }, 'outbound request failed inside the proxy'),
    guardEvents('outbound'),
  );

  // A snapshot's outbound ports are bound before it goes into force; one that cannot be is refused.
  store.addPreparer((runtime) => outbound.prepare(runtime));
  const trustBundle = followTrustBundle(config, identity, log);
  store.onSwap((runtime, previous) => {
    revoked = runtime.revoked;
    void trustBundle(runtime.snapshot.trustBundle);
    metrics.configInfo.reset();
    metrics.configInfo.set({ version: runtime.snapshot.version, hash: runtime.snapshot.hash }, 1);
    const inUse = new Set<string>();
    const tracked = new Set<EndpointHealth>();
    for (const cluster of runtime.clusters.values()) {
      for (const key of cluster.poolKeys) inUse.add(key);
      for (const endpoint of cluster.endpoints) tracked.add(endpoint);
    }
    pools.retainOnly(inUse);
    // An endpoint that left every cluster is forgotten: with endpoints coming and going for weeks
    // the map would otherwise keep them all. One that comes back starts with a clean record.
    for (const [key, endpoint] of health) if (!tracked.has(endpoint)) health.delete(key);
    log.info(
      {
        version: runtime.snapshot.version,
        hash: runtime.snapshot.hash,
        previous: previous?.snapshot.version,
      },
      'snapshot applied',
    );
  });

  const inboundHandler = createInboundHandler({
    application: config.application,
    runtime: () => store.current(),
    proxy: tag,
    sampleNewTrace: observers.sampleNewTrace,
  });
  const inbound = createInboundListener({
    identity,
    limits: config.limits,
    metrics,
    mtlsMode: () => store.current()?.snapshot.mesh.mtlsMode ?? 'STRICT',
    handle: inboundHandler.handle,
    handleUpgrade: inboundHandler.handleUpgrade,
    isRevoked,
    guard: guardEvents('inbound'),
  });
  // After the swap above has updated `revoked`: a revocation also ends what is already open with
  // that certificate, both ways; a peer must not keep its access by keeping a connection alive.
  store.onSwap(() => {
    const closed = inbound.closeRevoked() + pools.closeRevoked();
    if (closed > 0) log.warn({ closed }, 'closed connections of revoked certificates');
  });
  const admin = createAdminServer({
    metrics,
    runtime: () => store.current(),
    identity,
    workloadId: config.workload.id,
    traffic,
  });

  const loadSnapshot = async () => {
    if (config.snapshotFile !== undefined) {
      try {
        await store.applyFile(config.snapshotFile);
        return;
      } catch (error) {
        log.error(
          { err: error, file: config.snapshotFile },
          'snapshot file refused; keeping the configuration in force',
        );
      }
    }
    if (store.current() === undefined) {
      const restored = await store.applyLastApplied().catch((error: unknown) => {
        log.error({ err: error }, 'the last applied snapshot cannot be used');
        return undefined;
      });
      if (restored !== undefined)
        log.warn('serving the last applied snapshot from the state directory');
    }
  };

  await loadSnapshot();
  const httpProxy = await outbound.start();
  const inboundPort = await listen(inbound.server, config.inbound.port, config.inbound.address);
  const adminPort = await listen(admin, config.admin.port, config.admin.address);
  log.info({ inbound: inboundPort, admin: adminPort, httpProxy }, 'proxy listening');

  const reloadCertificates = async () => {
    try {
      identity.replace(await readIdentityFiles(config.tls));
      log.info({ serial: identity.current().serial }, 'certificates reloaded');
    } catch (error) {
      log.error({ err: error }, 'certificate files refused; keeping the certificate in force');
    }
  };
  const watch =
    config.controller === undefined
      ? undefined
      : new ControllerWatch(
          { ...config, controller: config.controller },
          store,
          identity,
          reloadCertificates,
          traffic,
          log,
        );
  watch?.start();

  return {
    config,
    store,
    identity,
    metrics,
    ports: { inbound: inboundPort, admin: adminPort, httpProxy },
    async reload() {
      await reloadCertificates();
      await loadSnapshot();
    },
    reopenLogs: () => observers.reopen(),
    async close() {
      watch?.stop();
      const inboundClosed = closeServer(inbound.server);
      inbound.closeConnections();
      await Promise.all([outbound.close(), inboundClosed, closeServer(admin)]);
      await Promise.all([inboundHandler.close(), pools.close()]);
      await observers.close();
    },
  };
}

async function listen(server: Server, port: number, address: string): Promise<number> {
  server.listen(port, address);
  await once(server, 'listening');
  const bound = server.address();
  return typeof bound === 'object' && bound !== null ? bound.port : port;
}

async function closeServer(server: Server): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  await closed;
}
