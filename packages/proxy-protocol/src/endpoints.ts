// The proxy API's endpoints: method, path and the schemas of what goes up and what comes back.
// The controller routes by this table and validates requests with it; proxies (and the
// control-plane bench's simulated ones) address it and validate answers with it.

import type { z } from 'zod';
import {
  bootstrapAnswer,
  bootstrapRequest,
  issuedCertificate,
  renewRequest,
} from './certificates.ts';
import {
  ackRequest,
  heartbeatRequest,
  recordedAnswer,
  telemetryAnswer,
  telemetryRequest,
} from './sync.ts';
import { watchQuery } from './watch.ts';

/** Which registered proxy a caller acts as, on every call but bootstrap; its certificate must agree. */
export const PROXY_ID_HEADER = 'x-weft-proxy-id';

export interface Endpoint {
  readonly method: 'GET' | 'POST';
  readonly path: `/v1/${string}`;
  /** Who may call: anyone (bootstrap, with a join token in the body) or a proxy by its certificate. */
  readonly caller: 'anyone' | 'proxy';
}

/** A POST whose JSON body and JSON answer the protocol defines. */
export interface JsonEndpoint<Request extends z.ZodType, Answer extends z.ZodType>
  extends Endpoint {
  readonly method: 'POST';
  readonly request: Request;
  readonly answer: Answer;
}

/** A GET answered with a stream; its query the schema says. */
export interface StreamEndpoint<Query extends z.ZodType> extends Endpoint {
  readonly method: 'GET';
  readonly query: Query;
}

export const proxyApi = {
  /** Join token + CSR + workload → certificate and trust bundle; registers the workload. */
  bootstrap: {
    method: 'POST',
    path: '/v1/bootstrap',
    caller: 'anyone',
    request: bootstrapRequest,
    answer: bootstrapAnswer,
  },
  /** A long-lived text/event-stream of snapshot events (see watch.ts). */
  watch: { method: 'GET', path: '/v1/watch', caller: 'proxy', query: watchQuery },
  ack: {
    method: 'POST',
    path: '/v1/ack',
    caller: 'proxy',
    request: ackRequest,
    answer: recordedAnswer,
  },
  heartbeat: {
    method: 'POST',
    path: '/v1/heartbeat',
    caller: 'proxy',
    request: heartbeatRequest,
    answer: recordedAnswer,
  },
  renew: {
    method: 'POST',
    path: '/v1/renew',
    caller: 'proxy',
    request: renewRequest,
    answer: issuedCertificate,
  },
  telemetry: {
    method: 'POST',
    path: '/v1/telemetry',
    caller: 'proxy',
    request: telemetryRequest,
    answer: telemetryAnswer,
  },
} as const satisfies Record<string, JsonEndpoint<z.ZodType, z.ZodType> | StreamEndpoint<z.ZodType>>;

export type ProxyApi = typeof proxyApi;
export type RequestOf<E extends JsonEndpoint<z.ZodType, z.ZodType>> = z.input<E['request']>;
export type AnswerOf<E extends JsonEndpoint<z.ZodType, z.ZodType>> = z.output<E['answer']>;
