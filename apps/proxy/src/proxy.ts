// The proxy, assembled: identity, snapshot store, inbound and outbound listeners, admin port,
// and who subscribes to its events. Everything it owns is started here and stopped here.

import { once } from 'node:events';
import type { Server } from 'node:net';
import { TrafficWindow } from '@weft/telemetry';
import type { Logger } from 'pino';
import { createAdminServer } from './admin/server.ts';
import type { ProxyConfig } from './config/proxy-config.ts';
import { ensureCertificate } from './control/bootstrap.ts';
import { ControllerWatch } from './control/controller-watch.ts';
import { followTrustBundle } from './control/trust-bundle.ts';
import { EndpointHealthRegistry } from './health/endpoint-health.ts';
import { createInboundHandler } from './inbound/handler.ts';
import { createInboundListener } from './inbound/listener.ts';
import { connectApplication } from './inbound/stack.ts';
import { createProxyMetrics, type ProxyMetrics } from './metrics.ts';
import { EndpointPools } from './outbound/endpoint/endpoint-pools.ts';
import { createOutboundHandler } from './outbound/handler.ts';
import { OutboundListeners } from './outbound/listeners.ts';
import { buildRuntime } from './runtime/runtime.ts';
import { SnapshotStore } from './runtime/snapshot-store.ts';
import { createSwapReaction } from './runtime/swap-reaction.ts';
import { countEvents } from './telemetry/count-events.ts';
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
  // This proxy's tag on the event channels, which every proxy in the process shares.
  const tag = Object.freeze({ workload: config.workload.id });

  // What outlives snapshots: connection pools to peers and to the service, endpoint health.
  // Revocations are read from the snapshot in force whenever a peer presents a certificate.
  const isRevoked = (serial: string) => store.current()?.revoked.has(serial) === true;
  const pools = new EndpointPools(identity, tag, isRevoked);
  const health = new EndpointHealthRegistry();
  const application = connectApplication(config.application);
  const store: SnapshotStore = new SnapshotStore(
    (snapshot) => buildRuntime(snapshot, { pools, health, application, proxy: tag }),
    config.workload.id,
    config.stateDir,
  );

  const observers = await observeRequests({
    proxy: tag,
    config,
    metrics,
    traffic,
    identity,
    runtime: () => store.current(),
    log,
  });
  // Subscribed after the one step that can fail (opening the access log): nothing to undo then.
  // Nothing publishes before: no listener is open and no snapshot applied yet.
  const stopCounting = countEvents({ proxy: tag, metrics, log, config });

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
    tag,
  );
  // A snapshot's outbound ports are bound before it goes into force; one that cannot be is refused.
  store.addPreparer((runtime) => outbound.prepare(runtime));

  const inboundHandler = createInboundHandler({
    runtime: () => store.current(),
    proxy: tag,
    sampleNewTrace: observers.sampleNewTrace,
  });
  const inbound = createInboundListener({
    identity,
    limits: config.limits,
    proxy: tag,
    mtlsMode: () => store.current()?.snapshot.mesh.mtlsMode ?? 'STRICT',
    handle: inboundHandler.handle,
    handleUpgrade: inboundHandler.handleUpgrade,
    isRevoked,
  });
  store.onSwap(
    createSwapReaction({
      proxy: tag,
      followTrustBundle: followTrustBundle(config, identity, log),
      pools,
      health,
      inbound,
    }),
  );
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
      await Promise.all([application.close(), pools.close()]);
      await observers.close();
      stopCounting();
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
