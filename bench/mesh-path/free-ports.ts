// Free loopback ports chosen up front, for configuration that must name its ports before the
// processes that listen on them start (the snapshot names proxy B's inbound port).

import { once } from 'node:events';
import { createServer, type Server } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** A free port per name: binds port 0 for each, keeping all bound until the end so they differ. */
export async function freePorts<const Name extends string>(
  names: readonly Name[],
): Promise<Record<Name, number>> {
  const servers: Server[] = [];
  try {
    const ports: Partial<Record<Name, number>> = {};
    for (const name of names) {
      const server = createServer();
      servers.push(server);
      server.listen(0, LOOPBACK);
      await once(server, 'listening');
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port bound');
      ports[name] = address.port;
    }
    return ports as Record<Name, number>;
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }
}
