// The per-proxy snapshot: the contract between controller and proxy, validated on both sides.

import { z } from 'zod';
import { API_VERSION } from '../resources/meta.ts';
import { RETRY_CONDITIONS } from '../resources/retry.ts';
import { LOAD_BALANCERS } from '../resources/traffic-policy.ts';

export const SNAPSHOT_KIND = 'ProxySnapshot';

const count = z.number().int().nonnegative();
const milliseconds = z.number().int().nonnegative();
const percentage = z.number().min(0).max(100);

const valueMatch = z.strictObject({
  name: z.string(),
  type: z.enum(['Exact', 'RegularExpression']),
  value: z.string(),
});

export const snapshotMatch = z.strictObject({
  path: z.strictObject({ type: z.enum(['Exact', 'PathPrefix']), value: z.string() }).optional(),
  method: z.string().optional(),
  headers: z.array(valueMatch),
  queryParams: z.array(valueMatch),
});

const headerModifier = z.strictObject({
  set: z.array(z.strictObject({ name: z.string(), value: z.string() })),
  add: z.array(z.strictObject({ name: z.string(), value: z.string() })),
  remove: z.array(z.string()),
});

export const snapshotRetry = z.strictObject({
  attempts: count,
  perTryTimeoutMs: milliseconds.optional(),
  retryOn: z.array(z.enum(RETRY_CONDITIONS)),
  backoffBaseMs: milliseconds,
  backoffMaxMs: milliseconds,
  budgetPercent: percentage,
  retryNonIdempotent: z.boolean(),
});

/** One match of one rule, already in precedence order: the proxy takes the first that matches. */
export const snapshotRouteEntry = z.strictObject({
  /** "HTTPRoute/shop/catalog rules[0]": where this entry came from, for logs and metrics. */
  source: z.string(),
  match: snapshotMatch,
  backends: z.array(z.strictObject({ cluster: z.string(), weight: count })).min(1),
  timeoutMs: milliseconds,
  retry: snapshotRetry,
  fault: z
    .strictObject({
      delay: z.strictObject({ delayMs: milliseconds, percent: percentage }).optional(),
      abort: z.strictObject({ httpStatus: z.number().int(), percent: percentage }).optional(),
    })
    .optional(),
  mirror: z.strictObject({ cluster: z.string(), percent: percentage }).optional(),
  requestHeaders: headerModifier.optional(),
  responseHeaders: headerModifier.optional(),
});

export const snapshotUpstream = z.strictObject({
  /** "shop/catalog" */
  service: z.string(),
  /** Host names a caller may use on the HTTP-proxy port, without port. */
  hostnames: z.array(z.string()),
  localPort: z.number().int().optional(),
  routes: z.array(snapshotRouteEntry),
});

export const snapshotEndpoint = z.strictObject({
  workload: z.string(),
  address: z.string(),
  port: z.number().int(),
});

export const snapshotCluster = z.strictObject({
  /** "catalog.shop.v2" for one version, "catalog.shop" for every instance of the service. */
  name: z.string(),
  service: z.string(),
  version: z.string().optional(),
  /** The SPIFFE ID its endpoints must present. */
  identity: z.string(),
  loadBalancer: z.enum(LOAD_BALANCERS),
  connectionPool: z.strictObject({
    maxConnections: count,
    maxPendingRequests: count,
    maxRequests: count,
    connectTimeoutMs: milliseconds,
    idleTimeoutMs: milliseconds,
  }),
  outlierDetection: z.strictObject({
    consecutive5xxErrors: count,
    consecutiveGatewayErrors: count,
    intervalMs: milliseconds,
    baseEjectionTimeMs: milliseconds,
    maxEjectionPercent: percentage,
  }),
  rateLimit: z.strictObject({ requestsPerSecond: count, burst: count }).optional(),
  endpoints: z.array(snapshotEndpoint),
});

export const snapshotAccessPolicy = z.strictObject({
  name: z.string(),
  action: z.enum(['allow', 'deny']),
  identities: z.array(z.string()),
  /** SPIFFE ID prefixes, one per namespace allowed as a whole: "spiffe://td/ns/shop/". */
  identityPrefixes: z.array(z.string()),
  paths: z.array(z.string()).optional(),
  methods: z.array(z.string()).optional(),
});

export const proxySnapshot = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(SNAPSHOT_KIND),
  /** Who published it and in which order; "r12" for revision 12 of the controller. */
  version: z.string(),
  /** sha256 of everything else: equal hashes mean nothing to send. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  workload: z.strictObject({
    id: z.string(),
    service: z.string(),
    version: z.string().optional(),
    identity: z.string(),
  }),
  mesh: z.strictObject({
    trustDomain: z.string(),
    mtlsMode: z.enum(['STRICT', 'PERMISSIVE']),
    certificateLifetimeMs: milliseconds,
    rotateAfter: z.number().min(0).max(1),
  }),
  inbound: z.strictObject({
    ports: z.array(z.number().int()),
    access: z.strictObject({
      defaultAction: z.enum(['allow', 'deny']),
      policies: z.array(snapshotAccessPolicy),
    }),
  }),
  upstreams: z.array(snapshotUpstream),
  clusters: z.array(snapshotCluster),
  /** Serials (upper-case hex) of revoked certificates: peers presenting one are refused. */
  revokedSerials: z.array(z.string()),
  /** The roots to trust, PEM; during a root rotation old and new. Empty: keep the bundle on disk. */
  trustBundle: z.string(),
});

export type ProxySnapshot = z.infer<typeof proxySnapshot>;
export type SnapshotUpstream = z.infer<typeof snapshotUpstream>;
export type SnapshotRouteEntry = z.infer<typeof snapshotRouteEntry>;
export type SnapshotCluster = z.infer<typeof snapshotCluster>;
export type SnapshotMatch = z.infer<typeof snapshotMatch>;
export type SnapshotRetry = z.infer<typeof snapshotRetry>;
export type SnapshotAccessPolicy = z.infer<typeof snapshotAccessPolicy>;
