// Keep-alive connection pools to peer proxies, one per endpoint and expected identity, shared
// across snapshots so a config push never reconnects what did not change.

import type { TLSSocket } from 'node:tls';
import { Pool } from 'undici';
import type { IdentityHolder } from '../../tls/identity-holder.ts';
import { createMtlsConnector, type PeerSession } from './mtls-connector.ts';

export interface PoolSettings {
  readonly address: string;
  readonly port: number;
  readonly expectedIdentity: string;
  readonly maxConnections: number;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

export class EndpointPools {
  private readonly pools = new Map<string, Pool>();
  /** Open connections and the serial their peer presented, for revocations to come. */
  private readonly serials = new Map<TLSSocket, string>();
  /** One TLS session per peer, whichever of its pools got it. */
  private readonly sessions = new Map<string, PeerSession>();
  /** The peer of each pool, by pool key. */
  private readonly peers = new Map<string, string>();

  constructor(
    private readonly identity: IdentityHolder,
    /** Tags the connections' handshake events. */
    private readonly proxy: object,
    /** Read from the snapshot in force at each full handshake, and by closeRevoked(). */
    private readonly isRevoked: (serial: string) => boolean,
  ) {}

  get(settings: PoolSettings): Pool {
    const key = poolKey(settings);
    let pool = this.pools.get(key);
    if (pool === undefined) {
      const peer = peerKey(settings);
      let session = this.sessions.get(peer);
      if (session === undefined) {
        session = { ticket: undefined, serial: undefined };
        this.sessions.set(peer, session);
      }
      this.peers.set(key, peer);
      pool = new Pool(`https://${settings.address}:${settings.port}`, {
        connections: settings.maxConnections,
        keepAliveTimeout: settings.idleTimeoutMs,
        // Requests carry their own timeouts (route and per-try); undici's must not cut in first.
        headersTimeout: 0,
        bodyTimeout: 0,
        connect: createMtlsConnector({
          identity: this.identity,
          expectedIdentity: settings.expectedIdentity,
          connectTimeoutMs: settings.connectTimeoutMs,
          proxy: this.proxy,
          isRevoked: this.isRevoked,
          onConnected: (socket, serial) => {
            this.serials.set(socket, serial);
            socket.once('close', () => this.serials.delete(socket));
          },
          session,
        }),
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  pendingFor(keys: readonly string[]): number {
    let pending = 0;
    for (const key of keys) pending += this.pools.get(key)?.stats.pending ?? 0;
    return pending;
  }

  /** Closes connections to peers whose certificate is now revoked; returns how many. */
  closeRevoked(): number {
    let closed = 0;
    for (const [socket, serial] of this.serials) {
      if (!this.isRevoked(serial)) continue;
      socket.destroy();
      closed += 1;
    }
    return closed;
  }

  /** Closes pools no snapshot uses any more, after their requests in flight finish. */
  retainOnly(keys: ReadonlySet<string>): void {
    for (const [key, pool] of this.pools) {
      if (keys.has(key)) continue;
      this.pools.delete(key);
      this.peers.delete(key);
      void pool.close();
    }
    const inUse = new Set(this.peers.values());
    for (const peer of this.sessions.keys()) if (!inUse.has(peer)) this.sessions.delete(peer);
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.destroy()));
  }
}

/** A peer: where it listens and who it must be. Pools with other limits to it share a session. */
function peerKey(settings: PoolSettings): string {
  return `${settings.address}:${settings.port} ${settings.expectedIdentity}`;
}

/** Every setting is in the key: a changed limit gets a new pool, and the old one drains. */
export function poolKey(settings: PoolSettings): string {
  const { address, port, expectedIdentity, maxConnections, connectTimeoutMs, idleTimeoutMs } =
    settings;
  return `${address}:${port} ${expectedIdentity} ${maxConnections} ${connectTimeoutMs} ${idleTimeoutMs}`;
}
