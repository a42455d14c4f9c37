// The controller's parts, assembled at start-up: repositories over the database, the CA, the
// config push (builder -> cache, following the change bus) and the domain operations. The
// operator API and the proxy API are handed what they need from here; nothing here imports
// either of them.

import type { Logger } from 'pino';
import { MeshAuthority } from './ca/mesh-authority.ts';
import { trustDomainOf } from './ca/mesh-settings.ts';
import type { Db } from './db/database.ts';
import type { ControllerEnv } from './env.ts';
import { ControllerMetrics } from './observability/metrics.ts';
import { ApiTokenOperations } from './operations/api-tokens.ts';
import { AuthOperations } from './operations/auth.ts';
import { CertificateOperations } from './operations/certificates.ts';
import { ChangeBus } from './operations/changes.ts';
import { ConfigOperations } from './operations/config.ts';
import { JoinTokenOperations } from './operations/join-tokens.ts';
import { ProxyOperations } from './operations/proxies.ts';
import { UserOperations } from './operations/users.ts';
import { ConfigPush } from './push/config-push.ts';
import { ProxyLiveness } from './push/liveness.ts';
import { SnapshotBuilder } from './push/snapshot-builder.ts';
import { SnapshotCache } from './push/snapshot-cache.ts';
import { AuditRepository } from './repositories/audit.ts';
import { CertificateRepository } from './repositories/certificates.ts';
import { JoinTokenRepository } from './repositories/join-tokens.ts';
import { ProxyRepository } from './repositories/proxies.ts';
import { RevisionRepository } from './repositories/revisions.ts';
import { RolloutRunRepository } from './repositories/rollouts.ts';
import { TelemetryRepository } from './repositories/telemetry.ts';
import { UserRepository } from './repositories/users.ts';
import { RolloutOperations } from './rollouts/rollout-operations.ts';

/** Every change the operator API can make: each audited in its own transaction, then announced. */
export interface Operations {
  readonly config: ConfigOperations;
  readonly certificates: CertificateOperations;
  readonly users: UserOperations;
  readonly apiTokens: ApiTokenOperations;
  readonly joinTokens: JoinTokenOperations;
  readonly auth: AuthOperations;
  readonly proxies: ProxyOperations;
  /** Rollout runs: start, commands, status; the runner advances them. */
  readonly rollouts: RolloutOperations;
}

/** What the operator API reads (repositories) and changes (operations). */
export interface Services {
  readonly revisions: RevisionRepository;
  readonly audit: AuditRepository;
  readonly users: UserRepository;
  readonly tokens: JoinTokenRepository;
  readonly proxies: ProxyRepository;
  readonly certificates: CertificateRepository;
  readonly telemetry: TelemetryRepository;
  readonly authority: MeshAuthority;
  /** Which proxies count as live: for the console as for the push. */
  readonly liveness: ProxyLiveness;
  /** The controller's own metrics, served at /metrics. */
  readonly metrics: ControllerMetrics;
  readonly operations: Operations;
}

export interface Assembled {
  readonly services: Services;
  /** Every change announced: the push follows it, so does the proxy API's TLS. */
  readonly changes: ChangeBus;
  readonly cache: SnapshotCache;
  readonly push: ConfigPush;
}

export async function assembleServices(
  db: Db,
  env: ControllerEnv,
  sealingKey: Buffer,
  log: Logger,
): Promise<Assembled> {
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
  const authority = await MeshAuthority.open(
    certificates,
    sealingKey,
    await trustDomainOf(revisions),
  );
  // Read before anything can heartbeat: how long ago the fleet was last heard from.
  const liveness = new ProxyLiveness(Date.now(), (await proxies.newestHeartbeat())?.getTime());

  const changes = new ChangeBus();
  const cache = new SnapshotCache({
    recordSent: (proxyId, snapshot, revision) =>
      proxies.sent(
        proxyId,
        { version: snapshot.version, hash: snapshot.hash, revision },
        new Date(),
      ),
    onError: (error, proxyId) =>
      log.error({ err: error, proxyId }, 'cannot record a sent snapshot'),
    onReoffer: (proxyId, version, attempts) =>
      log.info({ proxyId, version, attempts }, 'offering a refused snapshot again'),
  });
  const builder = new SnapshotBuilder({
    revisions,
    proxies,
    certificates,
    trustBundle: () => authority.trustBundle(),
    liveness,
  });
  const push = new ConfigPush(builder, cache, log);
  const metrics = new ControllerMetrics({
    snapshots: cache,
    telemetry,
    authority,
    proxies,
    revisions,
  });

  const config = new ConfigOperations(revisions, changes);
  const operations: Operations = {
    config,
    certificates: new CertificateOperations({
      certificates,
      authority,
      proxies,
      revisions,
      changes,
    }),
    users: new UserOperations(users, audit),
    apiTokens: new ApiTokenOperations(users),
    joinTokens: new JoinTokenOperations(tokens),
    auth: new AuthOperations(users, audit),
    proxies: new ProxyOperations({
      proxies,
      liveness,
      changes,
      watching: (proxyId) => cache.connected(proxyId),
      removeAfterMs: env.WEFT_PROXY_REMOVE_AFTER_MS,
    }),
    rollouts: new RolloutOperations({
      runs: new RolloutRunRepository(db),
      revisions,
      telemetry,
      config,
    }),
  };
  return {
    services: {
      revisions,
      audit,
      users,
      tokens,
      proxies,
      certificates,
      telemetry,
      authority,
      liveness,
      metrics,
      operations,
    },
    changes,
    cache,
    push,
  };
}
