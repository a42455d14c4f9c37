// The controller process: database (migrated), its parts (services.ts), the first admin, the
// operator API, the proxy API and the timers (registry sweep, compaction, rollouts, own
// certificate). Everything it starts is stopped by close().

import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { spiffeId } from '@weft/mesh-config';
import type { Logger } from 'pino';
import { createOperatorApi } from './api/http-server.ts';
import { certificateLifetimeOf, trustDomainOf } from './ca/mesh-settings.ts';
import { loadSealingKey, sealingKeyFileFor } from './ca/sealing-key.ts';
import { openDatabase } from './db/database.ts';
import type { ControllerEnv } from './env.ts';
import { createProxyApi } from './push/proxy-api.ts';
import { RolloutRunner } from './rollouts/runner.ts';
import { assembleServices, type Services } from './services.ts';

/**
 * The controller's own serving certificate: issued at every start, and again at two thirds of
 * its lifetime and whenever the trust bundle changes, so a controller that runs for months, or
 * through a root rotation, never serves an expired certificate or one from a retired root.
 */
const CONTROLLER_CERT_LIFETIME_MS = 30 * 86_400_000;
const CONTROLLER_CERT_RENEW_AFTER_MS = 20 * 86_400_000;
/** How often the live set is checked (expired proxies leave the others' endpoints), and long-gone ones removed. */
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
  const sealingKey = await loadSealingKey(env.WEFT_CA_KEY, sealingKeyFileFor(file));
  const { services, changes, cache, push } = await assembleServices(db, env, sealingKey, log);
  const { revisions, proxies, authority, telemetry, metrics, operations } = services;

  if (
    env.WEFT_ADMIN_USERNAME !== undefined &&
    env.WEFT_ADMIN_PASSWORD !== undefined &&
    (await services.users.count()) === 0
  ) {
    await operations.users.create(
      { username: env.WEFT_ADMIN_USERNAME, password: env.WEFT_ADMIN_PASSWORD, role: 'ADMIN' },
      'controller',
      'environment',
    );
    log.info({ username: env.WEFT_ADMIN_USERNAME }, 'first admin created from the environment');
  }

  const trustDomain = await trustDomainOf(revisions);
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
      tokens: services.tokens,
      proxies,
      audit: services.audit,
      cache,
      changes,
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
  // The bundle changed (a root rotation): the file and the proxy API's TLS follow, then (the
  // push follows the bus after this) every proxy.
  changes.subscribe(async (change) => {
    if (change.kind !== 'trust') return;
    const bundle = await authority.trustBundle();
    await writeFile(trustBundleFile, bundle);
    await serveWith(bundle);
  });
  push.follow(changes);
  const ownRenewal = setInterval(() => {
    authority
      .trustBundle()
      .then(serveWith)
      .catch((error: unknown) =>
        log.error({ err: error }, "cannot renew the controller's certificate"),
      );
  }, CONTROLLER_CERT_RENEW_AFTER_MS);
  const operatorApi = createOperatorApi(
    services,
    (error, path) => log.error({ err: error, path }, 'operator API request failed'),
    env.WEFT_CONSOLE_SECRET,
  );
  const apiUrl = `http://${env.WEFT_API_ADDRESS}:${await listen(operatorApi, env.WEFT_API_PORT, env.WEFT_API_ADDRESS)}`;
  const proxyApiUrl = `https://${env.WEFT_PROXY_API_ADDRESS}:${await listen(proxyApi, env.WEFT_PROXY_API_PORT, env.WEFT_PROXY_API_ADDRESS)}`;
  await push.publish();
  const sweep = setInterval(() => {
    operations.proxies
      .sweep(new Date())
      .then((removed) => {
        if (removed.length > 0) log.info({ proxies: removed }, 'silent proxies removed');
      })
      .catch((error: unknown) => log.error({ err: error }, 'sweeping the registry failed'));
  }, SWEEP_INTERVAL_MS);
  const compaction = setInterval(() => {
    telemetry
      .compact(new Date())
      .catch((error: unknown) => log.error({ err: error }, 'telemetry compaction failed'));
  }, COMPACTION_INTERVAL_MS);
  // Active rollouts carry on from the database, where they were when the controller stopped.
  const rolloutRunner = new RolloutRunner(operations.rollouts, log, env.WEFT_ROLLOUT_TICK_MS);
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
      push.close();
      cache.close();
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
