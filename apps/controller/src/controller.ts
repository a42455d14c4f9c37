// The controller process, assembled: database (migrated), CA, first admin, operator API, proxy
// API and config push. Everything it starts is stopped by close().

import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { spiffeId } from '@weft/mesh-config';
import type { Logger } from 'pino';
import { createOperatorApi } from './api/http-server.ts';
import type { Services } from './api/trpc.ts';
import { hashPassword } from './auth/passwords.ts';
import { MeshAuthority } from './ca/mesh-authority.ts';
import { certificateLifetimeOf, trustDomainOf } from './ca/mesh-settings.ts';
import { loadSealingKey, sealingKeyFileFor } from './ca/sealing-key.ts';
import { openDatabase } from './db/database.ts';
import type { ControllerEnv } from './env.ts';
import { ControllerMetrics } from './observability/metrics.ts';
import { ProxyLiveness } from './push/liveness.ts';
import { createProxyApi } from './push/proxy-api.ts';
import { removeSilentProxies } from './push/proxy-removal.ts';
import { SnapshotPublisher } from './push/snapshot-publisher.ts';
import { AuditRepository } from './repositories/audit.ts';
import { CertificateRepository } from './repositories/certificates.ts';
import { JoinTokenRepository } from './repositories/join-tokens.ts';
import { ProxyRepository } from './repositories/proxies.ts';
import { RevisionRepository } from './repositories/revisions.ts';
import { RolloutRunRepository } from './repositories/rollouts.ts';
import { TelemetryRepository } from './repositories/telemetry.ts';
import { UserRepository } from './repositories/users.ts';
import { RolloutOperations } from './rollouts/rollout-operations.ts';
import { RolloutRunner } from './rollouts/runner.ts';

/**
 * The controller's own serving certificate: issued at every start, and again at two thirds of
 * its lifetime and whenever the trust bundle changes, so a controller that runs for months, or
 * through a root rotation, never serves an expired certificate or one from a retired root.
 */
const CONTROLLER_CERT_LIFETIME_MS = 30 * 86_400_000;
const CONTROLLER_CERT_RENEW_AFTER_MS = 20 * 86_400_000;
/** How often expired proxies are dropped from the others' endpoints, and long-gone ones removed. */
const SWEEP_INTERVAL_MS = 5_000;
/** How often telemetry rollups move to coarser tiers. */
const COMPACTION_INTERVAL_MS = 60_000;

export interface RunningController {
  readonly apiUrl: string;
  readonly proxyApiUrl: string;
  readonly databaseFile: string;
  /** The trust bundle proxies need to bootstrap, also written beside the database. */
  readonly trustBundleFile: string;
  readonly services: Services;
  close(): Promise<void>;
}

export async function startController(env: ControllerEnv, log: Logger): Promise<RunningController> {
  const { db, file, migrated } = await openDatabase(env.WEFT_DB);
  if (migrated.length > 0) log.info({ migrations: migrated, file }, 'database migrated');
  const revisions = new RevisionRepository(db);
  const proxies = new ProxyRepository(db);
  const certificates = new CertificateRepository(db);
  const audit = new AuditRepository(db);
  const users = new UserRepository(db, {
    defaultTtlMs: env.WEFT_API_TOKEN_TTL,
    maxTtlMs: env.WEFT_API_TOKEN_MAX_TTL,
  });
  const tokens = new JoinTokenRepository(db);
  const telemetry = new TelemetryRepository(db, env.WEFT_TELEMETRY_TIERS);

  const sealingKey = await loadSealingKey(env.WEFT_CA_KEY, sealingKeyFileFor(file));
  const trustDomain = await trustDomainOf(revisions);
  const authority = await MeshAuthority.open(certificates, sealingKey, trustDomain);
  // Read before anything can heartbeat: how long ago the fleet was last heard from.
  const liveness = new ProxyLiveness(Date.now(), (await proxies.newestHeartbeat())?.getTime());
  const publisher = new SnapshotPublisher(
    revisions,
    proxies,
    certificates,
    () => authority.trustBundle(),
    liveness,
    log,
  );
  const metrics = new ControllerMetrics({ publisher, telemetry, authority, proxies, revisions });

  if (
    env.WEFT_ADMIN_USERNAME !== undefined &&
    env.WEFT_ADMIN_PASSWORD !== undefined &&
    (await users.count()) === 0
  ) {
    await users.create(
      env.WEFT_ADMIN_USERNAME,
      await hashPassword(env.WEFT_ADMIN_PASSWORD),
      'ADMIN',
    );
    await audit.record({
      actor: 'controller',
      action: 'users.create',
      target: `user/${env.WEFT_ADMIN_USERNAME}`,
      outcome: 'OK',
      detail: { role: 'ADMIN', from: 'environment' },
    });
    log.info({ username: env.WEFT_ADMIN_USERNAME }, 'first admin created from the environment');
  }

  const trustBundleFile = join(dirname(file), 'trust-bundle.pem');
  const trustBundlePem = await authority.trustBundle();
  await writeFile(trustBundleFile, trustBundlePem);
  const issueOwn = () =>
    authority.issueOwn(
      spiffeId(trustDomain, 'weft-system', 'controller'),
      CONTROLLER_CERT_LIFETIME_MS,
    );
  const own = await issueOwn();
  const proxyApi = createProxyApi(
    { ...own, trustBundlePem },
    {
      authority,
      tokens,
      proxies,
      audit,
      publisher,
      telemetry,
      services: () => revisions.serviceNames(),
      trustDomain: () => trustDomainOf(revisions),
      certificateLifetimeMs: () => certificateLifetimeOf(revisions),
      onError: (error) => log.error({ err: error }, 'proxy API request failed'),
    },
  );
  /** A fresh certificate from the authority signing now, and the bundle proxies are checked against. */
  const serveWith = async (bundle: string) => {
    const renewed = await issueOwn();
    proxyApi.setSecureContext({
      cert: renewed.certPem,
      key: renewed.keyPem,
      ca: bundle,
      minVersion: 'TLSv1.2',
    });
  };
  /** The bundle changed (a root rotation): the file, the proxy API's TLS and every proxy follow. */
  const trustChanged = async () => {
    const bundle = await authority.trustBundle();
    await writeFile(trustBundleFile, bundle);
    await serveWith(bundle);
    await publisher.publish();
  };
  const ownRenewal = setInterval(() => {
    authority
      .trustBundle()
      .then(serveWith)
      .catch((error: unknown) =>
        log.error({ err: error }, "cannot renew the controller's certificate"),
      );
  }, CONTROLLER_CERT_RENEW_AFTER_MS);
  const rollouts = new RolloutOperations({
    runs: new RolloutRunRepository(db),
    revisions,
    telemetry,
    publisher,
  });
  const services: Services = {
    revisions,
    audit,
    users,
    tokens,
    proxies,
    certificates,
    publisher,
    authority,
    trustChanged,
    telemetry,
    metrics,
    rollouts,
  };

  const operatorApi = createOperatorApi(
    services,
    (error, path) => log.error({ err: error, path }, 'operator API request failed'),
    env.WEFT_CONSOLE_SECRET,
  );
  const apiUrl = `http://${env.WEFT_API_ADDRESS}:${await listen(operatorApi, env.WEFT_API_PORT, env.WEFT_API_ADDRESS)}`;
  const proxyApiUrl = `https://${env.WEFT_PROXY_API_ADDRESS}:${await listen(proxyApi, env.WEFT_PROXY_API_PORT, env.WEFT_PROXY_API_ADDRESS)}`;
  await publisher.publish();
  const sweep = setInterval(() => {
    publisher.publish().catch((error: unknown) => log.error({ err: error }, 'config push failed'));
    removeSilentProxies(services, env.WEFT_PROXY_REMOVE_AFTER_MS, new Date())
      .then((removed) => {
        if (removed.length > 0) log.info({ proxies: removed }, 'silent proxies removed');
      })
      .catch((error: unknown) => log.error({ err: error }, 'removing silent proxies failed'));
  }, SWEEP_INTERVAL_MS);
  const compaction = setInterval(() => {
    telemetry
      .compact(new Date())
      .catch((error: unknown) => log.error({ err: error }, 'telemetry compaction failed'));
  }, COMPACTION_INTERVAL_MS);
  // Active rollouts carry on from the database, where they were when the controller stopped.
  const rolloutRunner = new RolloutRunner(rollouts, log, env.WEFT_ROLLOUT_TICK_MS);
  rolloutRunner.start();
  log.info(
    { api: apiUrl, proxyApi: proxyApiUrl, database: file, trustBundle: trustBundleFile },
    'controller listening',
  );

  return {
    apiUrl,
    proxyApiUrl,
    databaseFile: file,
    trustBundleFile,
    services,
    async close() {
      await rolloutRunner.stop();
      clearInterval(sweep);
      clearInterval(compaction);
      clearInterval(ownRenewal);
      publisher.cancelPending();
      await Promise.all([stop(operatorApi), stop(proxyApi)]);
      metrics.close();
      await db.$disconnect();
    },
  };
}

async function listen(
  server: import('node:net').Server,
  port: number,
  address: string,
): Promise<number> {
  server.listen(port, address);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function stop(server: import('node:http').Server): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}
