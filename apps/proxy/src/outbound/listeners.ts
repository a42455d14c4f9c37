// The outbound listeners on localhost: one port per upstream that the snapshot gives a local
// port (as Consul does), opened and closed as snapshots change, and the HTTP-proxy port. A new
// snapshot's ports are bound before it goes into force: one that cannot be bound (taken by
// another process) refuses the snapshot, and the ports in force stay open.

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { MeshError } from '@weft/errors';
import type { ProxyConfig } from '../config/proxy-config.ts';
import { guardedServerOptions, guardHttpServer, limitConnections } from '../http/http-guard.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { Preparation } from '../runtime/snapshot-store.ts';
import type { EdgeEvent } from '../telemetry/channels.ts';
import { resolveByHost, resolveByLocalPort, type UpstreamResolver } from './handler.ts';

type Handler = (resolve: UpstreamResolver) => {
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
};

export class OutboundListeners {
  private readonly byPort = new Map<number, Server>();
  private httpProxy: Server | undefined;
  private readonly edge: EdgeEvent;

  constructor(
    private readonly config: ProxyConfig,
    private readonly handler: Handler,
    private readonly onError: (error: unknown) => void,
    /** Tags the listeners' events (refusals at the HTTP edge, idle closes, dropped connections). */
    proxy: object,
  ) {
    this.edge = Object.freeze({ proxy, direction: 'outbound' });
  }

  /** Opens the HTTP-proxy port, if configured; returns its bound port. */
  async start(): Promise<number | undefined> {
    const port = this.config.outbound.httpProxyPort;
    if (port === undefined) return undefined;
    this.httpProxy = this.createServer(resolveByHost);
    return this.listen(this.httpProxy, port);
  }

  /**
   * Binds the local ports the runtime asks for and are not open yet. Throws, with every port it
   * bound closed again, when one cannot be bound. The commit makes the open ports exactly the
   * runtime's: the ones it no longer names stop accepting, their requests in flight finish.
   */
  async prepare(runtime: Runtime): Promise<Preparation> {
    const opened = new Map<number, Server>();
    for (const [port, upstream] of runtime.byLocalPort) {
      if (this.byPort.has(port)) continue;
      const server = this.createServer(resolveByLocalPort(port));
      try {
        await this.listen(server, port);
      } catch (error) {
        await closeAll([...opened.values()]);
        throw new MeshError(
          'MESH_ERR_LOCAL_PORT_UNAVAILABLE',
          `cannot listen on ${this.config.outbound.address}:${port} for upstream ${upstream.upstream.service}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      opened.set(port, server);
    }
    return {
      commit: () => {
        for (const [port, server] of this.byPort) {
          if (runtime.byLocalPort.has(port)) continue;
          this.byPort.delete(port);
          server.close();
          server.closeIdleConnections();
        }
        for (const [port, server] of opened) this.byPort.set(port, server);
      },
      abort: () => closeAll([...opened.values()]),
    };
  }

  ports(): { httpProxy: number | undefined; upstreams: number[] } {
    const address = this.httpProxy?.address();
    return {
      httpProxy: typeof address === 'object' && address !== null ? address.port : undefined,
      upstreams: [...this.byPort.keys()],
    };
  }

  async close(): Promise<void> {
    const servers = [...this.byPort.values(), ...(this.httpProxy ? [this.httpProxy] : [])];
    this.byPort.clear();
    await closeAll(servers);
  }

  private createServer(resolve: UpstreamResolver): Server {
    const { handleRequest, handleUpgrade } = this.handler(resolve);
    const server = createServer(guardedServerOptions(this.config.limits));
    guardHttpServer(
      server,
      {
        request: (req, res) => {
          handleRequest(req, res).catch((error: unknown) => {
            this.onError(error);
            if (!res.headersSent) res.writeHead(500, { 'x-weft-error': 'proxy-internal' }).end();
            else res.destroy();
          });
        },
        upgrade: handleUpgrade,
      },
      this.edge,
    );
    server.on('connection', (socket) => socket.setNoDelay(true));
    limitConnections(server, this.config.limits, this.edge);
    return server;
  }

  private async listen(server: Server, port: number): Promise<number> {
    server.listen(port, this.config.outbound.address);
    await once(server, 'listening');
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : port;
  }
}

/** Closes listening servers and their connections; one that never listened has nothing to close. */
async function closeAll(servers: readonly Server[]): Promise<void> {
  await Promise.all(
    servers
      .filter((server) => server.listening)
      .map(async (server) => {
        const closed = once(server, 'close');
        server.close();
        server.closeAllConnections();
        await closed;
      }),
  );
}
