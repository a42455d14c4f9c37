// GET /v1/watch: the proxy's long-lived stream of snapshot events (server-sent events), fed by
// the snapshot cache; the query says where the proxy listens now, in case it restarted elsewhere.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxySnapshot } from '@weft/mesh-config';
import { encodeSnapshotEvent, proxyApi } from '@weft/proxy-protocol';
import type { BootstrapDeps } from '../proxy-bootstrap.ts';
import type { SnapshotCache } from '../snapshot-cache.ts';
import type { ProxyHandler } from './handler.ts';
import { parseInput } from './json-exchange.ts';

/** A comment line on idle streams keeps intermediaries and the proxy's idle timer quiet. */
const STREAM_KEEPALIVE_MS = 15_000;

type WatchDeps = Pick<BootstrapDeps, 'proxies' | 'changes'> & { readonly cache: SnapshotCache };

export function watchHandler(deps: WatchDeps): ProxyHandler {
  return async (call, res, { proxyId }) => {
    const where = parseInput(
      proxyApi.watch.query,
      Object.fromEntries(new URL(call.req.url ?? '/', 'https://proxy-api').searchParams),
    );
    if (where.address !== undefined && where.port !== undefined) {
      if (await deps.proxies.moved(proxyId, where.address, where.port, new Date()))
        await deps.changes.emit({ kind: 'registry', proxyId });
    }
    stream(call.req, res, proxyId, deps);
  };
}

function stream(req: IncomingMessage, res: ServerResponse, proxyId: string, deps: WatchDeps): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), STREAM_KEEPALIVE_MS);
  const watcher = {
    send: (snapshot: ProxySnapshot) => {
      res.write(encodeSnapshotEvent(snapshot));
    },
    // The proxy was removed: its stream ends (the connection may stay open, so nothing may be
    // written after), and reconnecting is refused until it bootstraps again.
    close: () => {
      clearInterval(keepalive);
      res.end();
    },
  };
  const cancel = deps.cache.watch(proxyId, watcher);
  void deps.proxies.heartbeat(proxyId, new Date());
  req.socket.once('close', () => {
    clearInterval(keepalive);
    cancel();
    if (!deps.cache.connected(proxyId)) void deps.proxies.disconnected(proxyId);
  });
}
