// POST /v1/bootstrap: the request read with the protocol's schema, the work done by
// proxy-bootstrap.ts (join token + CSR -> certificate, and the registry row).

import { proxyApi } from '@weft/proxy-protocol';
import { type BootstrapDeps, bootstrap } from '../proxy-bootstrap.ts';
import type { OpenHandler } from './handler.ts';
import { answer, readInput } from './json-exchange.ts';

export function bootstrapHandler(deps: BootstrapDeps): OpenHandler {
  return async (call, res) => {
    const input = await readInput(call.req, proxyApi.bootstrap.request);
    answer(res, proxyApi.bootstrap, await bootstrap(call, input, deps));
  };
}
