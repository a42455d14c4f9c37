import { PassThrough } from 'node:stream';
import type { ProxySnapshot } from '@weft/mesh-config';
import { describe, expect, it } from 'vitest';
import { AccessPolicy, createAccessPolicyLayer } from './access-policy.ts';
import { type Dispatch, type InboundRequest, LocalController } from './dispatch.ts';
import { recordingHandler } from './layer-test-kit.ts';

const FRONTEND = 'spiffe://weft.local/ns/shop/sa/frontend';
const ADMIN = 'spiffe://weft.local/ns/ops/sa/admin';

const access = (
  policies: ProxySnapshot['inbound']['access']['policies'],
  defaultAction: 'allow' | 'deny' = 'allow',
) => new AccessPolicy({ defaultAction, policies }, 'STRICT');

const policy = (
  name: string,
  action: 'allow' | 'deny',
  rest: {
    identities?: string[];
    identityPrefixes?: string[];
    paths?: string[];
    methods?: string[];
  },
) => ({ name, action, identities: [], identityPrefixes: [], ...rest });

const inbound = (peer: string | undefined, method: string, pathname: string): InboundRequest => ({
  method,
  path: pathname,
  pathname,
  headers: {},
  body: null,
  peer,
  requestId: 'request-1',
  trace: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), sampled: true },
});

describe('access policy', () => {
  it('lets a matching deny win, then admits what an allow matches and nothing else', () => {
    const decide = access([
      policy('no-writes', 'deny', { identities: [FRONTEND], methods: ['DELETE'] }),
      policy('shop', 'allow', { identityPrefixes: ['spiffe://weft.local/ns/shop/'] }),
      policy('ops-health', 'allow', { identities: [ADMIN], paths: ['/health/*'] }),
    ]);
    expect(decide.decide(FRONTEND, 'GET', '/items')).toEqual({ allowed: true });
    expect(decide.decide(FRONTEND, 'DELETE', '/items')).toEqual({
      allowed: false,
      rule: 'AccessPolicy/no-writes',
    });
    expect(decide.decide(ADMIN, 'GET', '/health/live')).toEqual({ allowed: true });
    expect(decide.decide(ADMIN, 'GET', '/items').allowed).toBe(false);
    // A plaintext caller (PERMISSIVE mode) has no identity for a rule to match.
    expect(decide.decide(undefined, 'GET', '/items').allowed).toBe(false);
  });

  it('follows the mesh default when the service has no policy', () => {
    expect(access([], 'deny').decide(FRONTEND, 'GET', '/')).toEqual({
      allowed: false,
      rule: 'the mesh default (deny)',
    });
    expect(access([], 'allow').decide(undefined, 'GET', '/')).toEqual({ allowed: true });
  });
});

describe('access policy layer', () => {
  const reached: InboundRequest[] = [];
  const service: Dispatch<InboundRequest> = (request, handler) => {
    reached.push(request);
    const controller = new LocalController();
    handler.onResponseStart?.(controller, 204, {}, '');
    handler.onResponseEnd?.(controller, {});
  };
  const layer = createAccessPolicyLayer(
    access([policy('shop', 'allow', { identities: [FRONTEND] })]),
  )(service);

  it('answers 403 naming the rule, drains the body, and never reaches the service', () => {
    const body = new PassThrough();
    const handler = recordingHandler();
    layer({ ...inbound(ADMIN, 'POST', '/items'), body }, handler);
    expect(handler.recorded.error).toMatchObject({
      status: 403,
      reason: 'access-denied',
      message: 'denied by no allow AccessPolicy matches',
    });
    expect(body.readableFlowing).toBe(true);
    expect(reached).toHaveLength(0);
  });

  it('passes an allowed request on unchanged', () => {
    const request = inbound(FRONTEND, 'GET', '/items');
    const handler = recordingHandler();
    layer(request, handler);
    expect(handler.recorded.status).toBe(204);
    expect(reached).toEqual([request]);
  });
});
