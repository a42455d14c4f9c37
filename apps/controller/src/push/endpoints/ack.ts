// POST /v1/ack: the proxy applied a snapshot (ACK) or refused it (NACK, with the error); the
// registry keeps the sync state the console shows, and the snapshot cache settles what it sent.

import { proxyApi } from '@weft/proxy-protocol';
import { controllerChannels } from '../../observability/channels.ts';
import type { ProxyRepository } from '../../repositories/proxies.ts';
import type { SnapshotCache } from '../snapshot-cache.ts';
import type { ProxyHandler } from './handler.ts';
import { answer, readInput } from './json-exchange.ts';

export function ackHandler(deps: {
  readonly proxies: ProxyRepository;
  readonly cache: SnapshotCache;
}): ProxyHandler {
  return async (call, res, { proxyId }) => {
    const input = await readInput(call.req, proxyApi.ack.request);
    if (input.error === undefined) {
      await deps.proxies.acked(proxyId, input.version, input.hash, new Date());
      deps.cache.accepted(proxyId);
    } else {
      await deps.proxies.nacked(proxyId, input.version, input.error, new Date());
      deps.cache.refused(proxyId, input.hash);
    }
    controllerChannels.snapshotAnswered.publish({
      source: deps.cache,
      proxyId,
      outcome: input.error === undefined ? 'ack' : 'nack',
    });
    answer(res, proxyApi.ack, { recorded: true });
  };
}
