// nginx.conf for the two nginx sidecars, set up as the Weft proxies are: one worker each,
// plain HTTP in on A, mTLS with verified certificates and resumed sessions from A to B, and
// kept-alive connections on every hop.

import type { SidecarFiles } from './certificates.ts';
import { LOOPBACK } from './free-ports.ts';

/** Idle upstream connections kept per worker: more than the 32 the load generator opens. */
const UPSTREAM_KEEPALIVE_CONNECTIONS = 64;
/**
 * nginx closes a connection after 1,000 requests by default; Weft and Node keep theirs
 * open, so this lifts the limit rather than measure reconnects nginx alone would make.
 */
const KEEPALIVE_REQUESTS = 1_000_000;
const KEEPALIVE_TIMEOUT_S = 120;
/** Leaf, intermediate, root. */
const VERIFY_DEPTH = 2;
const WORKER_CONNECTIONS = 4_096;

function common(prefix: string, http: string): string {
  return `worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections ${WORKER_CONNECTIONS}; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  keepalive_requests ${KEEPALIVE_REQUESTS};
  keepalive_timeout ${KEEPALIVE_TIMEOUT_S}s;
${http}
}
`;
}

function upstream(name: string, port: number): string {
  return `  upstream ${name} {
    server ${LOOPBACK}:${port};
    keepalive ${UPSTREAM_KEEPALIVE_CONNECTIONS};
    keepalive_requests ${KEEPALIVE_REQUESTS};
    keepalive_timeout ${KEEPALIVE_TIMEOUT_S}s;
  }`;
}

/** Sidecar A: plain HTTP from the caller, mTLS to B with the client's certificate. */
export function nginxConfA(params: {
  readonly prefix: string;
  readonly port: number;
  readonly peerPort: number;
  readonly peerName: string;
  readonly tls: SidecarFiles;
}): string {
  return common(
    params.prefix,
    `${upstream('sidecar_b', params.peerPort)}
  server {
    listen ${LOOPBACK}:${params.port};
    location / {
      proxy_pass https://sidecar_b;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_ssl_certificate ${params.tls.certFile};
      proxy_ssl_certificate_key ${params.tls.keyFile};
      proxy_ssl_trusted_certificate ${params.tls.trustBundleFile};
      proxy_ssl_verify on;
      proxy_ssl_verify_depth ${VERIFY_DEPTH};
      proxy_ssl_name ${params.peerName};
      proxy_ssl_protocols TLSv1.2 TLSv1.3;
      proxy_ssl_session_reuse on;
    }
  }`,
  );
}

/**
 * Sidecar B: mTLS in (client certificate required), plain HTTP to the service. The first
 * request of each connection logs whether its TLS session was resumed ("r") or new ("."),
 * which is how handshakes are counted.
 */
export function nginxConfB(params: {
  readonly prefix: string;
  readonly port: number;
  readonly servicePort: number;
  readonly tls: SidecarFiles;
  readonly handshakeLog: string;
}): string {
  return common(
    params.prefix,
    `${upstream('service', params.servicePort)}
  map $connection_requests $first_on_connection { 1 1; default 0; }
  log_format handshake '$ssl_session_reused';
  server {
    listen ${LOOPBACK}:${params.port} ssl;
    ssl_certificate ${params.tls.certFile};
    ssl_certificate_key ${params.tls.keyFile};
    ssl_client_certificate ${params.tls.trustBundleFile};
    ssl_verify_client on;
    ssl_verify_depth ${VERIFY_DEPTH};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:sidecar_b:1m;
    access_log ${params.handshakeLog} handshake if=$first_on_connection;
    location / {
      proxy_pass http://service;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }`,
  );
}
