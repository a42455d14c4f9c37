// POST /v1/heartbeat: the proxy is alive, so it stays in the registry and in its peers' endpoints.
// Its body says nothing more, and is not read.

import { proxyApi } from '@weft/proxy-protocol';
import type { ProxyRepository } from '../../repositories/proxies.ts';
import type { ProxyHandler } from './handler.ts';
import { answer } from './json-exchange.ts';

export function heartbeatHandler(deps: { readonly proxies: ProxyRepository }): ProxyHandler {
  return async (_call, res, { proxyId }) => {
    await deps.proxies.heartbeat(proxyId, new Date());
    answer(res, proxyApi.heartbeat, { recorded: true });
  };
}
