// Failures of the data plane, each with a stable code, the status the caller gets, and the
// reason named in x-weft-error. The rescue layer is the one place that turns them into responses.

import { MeshError, type MeshErrorCode } from '@weft/errors';

export class ProxyError extends MeshError {
  constructor(
    code: MeshErrorCode,
    readonly status: number,
    /** The x-weft-error value: short, stable, greppable. */
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export const noRoute = (target: string) =>
  new ProxyError(
    'MESH_ERR_NO_ROUTE',
    404,
    'no-route',
    `no route matches this request to ${target}`,
  );

export const unknownUpstream = (host: string) =>
  new ProxyError(
    'MESH_ERR_UNKNOWN_UPSTREAM',
    404,
    'unknown-upstream',
    `no upstream is called "${host}"`,
  );

export const noHealthyEndpoint = (cluster: string) =>
  new ProxyError(
    'MESH_ERR_NO_HEALTHY_UPSTREAM',
    503,
    'no-healthy-upstream',
    `cluster ${cluster} has no healthy endpoint`,
  );

export const circuitOpen = (cluster: string, limit: string) =>
  new ProxyError(
    'MESH_ERR_CIRCUIT_OPEN',
    503,
    'circuit-open',
    `cluster ${cluster} is at its ${limit} limit`,
  );

export const rateLimited = (cluster: string) =>
  new ProxyError(
    'MESH_ERR_RATE_LIMITED',
    429,
    'rate-limited',
    `cluster ${cluster} is over its rate limit`,
  );

export const upstreamTimeout = (ms: number, scope: 'request' | 'per-try') =>
  new ProxyError(
    'MESH_ERR_UPSTREAM_TIMEOUT',
    504,
    'upstream-timeout',
    `no response within the ${scope} timeout of ${ms} ms`,
  );

export const connectFailure = (cause: unknown) =>
  new ProxyError(
    'MESH_ERR_CONNECT_FAILURE',
    503,
    'upstream-connect-failure',
    `cannot connect to the upstream: ${describe(cause)}`,
    { cause },
  );

export const upstreamReset = (cause: unknown) =>
  new ProxyError(
    'MESH_ERR_UPSTREAM_RESET',
    502,
    'upstream-reset',
    `the upstream connection failed: ${describe(cause)}`,
    { cause },
  );

export const peerIdentityMismatch = (expected: string, actual: string | undefined) =>
  new ProxyError(
    'MESH_ERR_PEER_IDENTITY',
    502,
    'upstream-identity-mismatch',
    `the upstream presented ${actual ?? 'no SPIFFE ID'}, expected ${expected}`,
  );

export const peerCertificateRevoked = (serial: string) =>
  new ProxyError(
    'MESH_ERR_PEER_REVOKED',
    502,
    'upstream-certificate-revoked',
    `the upstream presented revoked certificate ${serial}`,
  );

export const faultAbort = (status: number) =>
  new ProxyError(
    'MESH_ERR_FAULT_INJECTED',
    status,
    'fault-injected',
    `fault injection answered ${status}`,
  );

export const accessDenied = (rule: string) =>
  new ProxyError('MESH_ERR_ACCESS_DENIED', 403, 'access-denied', `denied by ${rule}`);

/** 499 as nginx logs it: nobody receives this answer, but the access log records why. */
export const clientGone = () =>
  new ProxyError('MESH_ERR_CLIENT_GONE', 499, 'client-closed', 'the caller closed the connection');

export const isClientGone = (error: unknown) =>
  error instanceof ProxyError && error.reason === 'client-closed';

export const badRequestTarget = (target: string) =>
  new ProxyError(
    'MESH_ERR_BAD_REQUEST',
    400,
    'bad-request',
    `the request target ${JSON.stringify(target.slice(0, 100))} is not a path or an http(s) URL`,
  );

export const notReady = () =>
  new ProxyError('MESH_ERR_NOT_READY', 503, 'not-ready', 'the proxy has no configuration yet');

/** Anything that is not already a ProxyError is a failure on the upstream connection. */
export function asProxyError(error: unknown): ProxyError {
  if (error instanceof ProxyError) return error;
  const code = (error as { code?: string } | null)?.code ?? '';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ECONNREFUSED' || code === 'EHOSTUNREACH') {
    return connectFailure(error);
  }
  return upstreamReset(error);
}

function describe(error: unknown): string {
  return (
    (error as { code?: string; message?: string } | null)?.code ??
    (error as Error)?.message ??
    String(error)
  );
}
