// What the mesh does where the configuration is silent; each default named with its unit.

import type { SnapshotCluster, SnapshotRetry } from './snapshot.ts';

export const DEFAULT_TRUST_DOMAIN = 'weft.local';
export const DEFAULT_MTLS_MODE = 'STRICT';
export const DEFAULT_ACCESS_ACTION = 'allow';
export const DEFAULT_CERTIFICATE_LIFETIME_MS = 24 * 3_600_000;
/** Renew at two thirds of the lifetime, as SPIRE and Istio do. */
export const DEFAULT_ROTATE_AFTER = 2 / 3;

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
export const DEFAULT_RETRY_ATTEMPTS = 2;
export const DEFAULT_RETRY_ON: SnapshotRetry['retryOn'] = [
  'connect-failure',
  'reset',
  'gateway-error',
];
export const DEFAULT_BACKOFF_BASE_MS = 25;
export const DEFAULT_BACKOFF_MAX_MS = 250;
/** Linkerd's retry budget: retries may add at most a fifth to the load. */
export const DEFAULT_RETRY_BUDGET_PERCENT = 20;

export const DEFAULT_LOAD_BALANCER: SnapshotCluster['loadBalancer'] = 'leastRequest';
export const DEFAULT_MAX_CONNECTIONS = 1_024;
export const DEFAULT_MAX_PENDING_REQUESTS = 1_024;
export const DEFAULT_MAX_REQUESTS = 1_024;
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

export const DEFAULT_CONSECUTIVE_5XX = 5;
export const DEFAULT_OUTLIER_INTERVAL_MS = 10_000;
export const DEFAULT_BASE_EJECTION_TIME_MS = 30_000;
export const DEFAULT_MAX_EJECTION_PERCENT = 10;
