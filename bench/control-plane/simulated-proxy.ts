// A proxy as the controller sees it, without a data plane: it bootstraps with a join token and
// a CSR over the real proxy API, keeps the watch stream open, and ACKs every snapshot at once.

import { createCsr, generateKeyPair } from '@weft/pki';
import { createParser } from 'eventsource-parser';
import { Agent, request } from 'undici';

export interface Received {
  readonly version: string;
  readonly at: number;
  ackedAt?: number;
}

export class SimulatedProxy {
  readonly received: Received[] = [];
  private agent: Agent | undefined;
  private readonly stop = new AbortController();

  constructor(
    readonly id: string,
    readonly service: string,
    private readonly proxyApiUrl: string,
    private readonly trustBundlePem: string,
  ) {}

  async bootstrap(token: string, port: number): Promise<void> {
    const keys = await generateKeyPair();
    const csr = await createCsr({
      privateKeyPem: keys.privateKeyPem,
      publicKeyPem: keys.publicKeyPem,
    });
    const response = await request(`${this.proxyApiUrl}/v1/bootstrap`, {
      method: 'POST',
      dispatcher: new Agent({
        connect: { ca: this.trustBundlePem, checkServerIdentity: () => undefined },
      }),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        csr,
        workload: { id: this.id, version: 'v1', address: '127.0.0.1', port },
      }),
    });
    const body = (await response.body.json()) as { certificate?: string; error?: string };
    if (body.certificate === undefined)
      throw new Error(`bootstrap of ${this.id} refused: ${body.error}`);
    this.agent = new Agent({
      connections: 2,
      connect: {
        ca: this.trustBundlePem,
        cert: body.certificate,
        key: keys.privateKeyPem,
        checkServerIdentity: () => undefined,
      },
    });
  }

  /** Opens the watch stream; resolves once it is open. */
  async watch(): Promise<void> {
    if (this.agent === undefined) throw new Error(`${this.id} has not bootstrapped`);
    const response = await request(`${this.proxyApiUrl}/v1/watch`, {
      dispatcher: this.agent,
      headers: { 'x-weft-proxy-id': this.id },
      signal: this.stop.signal,
      bodyTimeout: 0,
    });
    if (response.statusCode !== 200)
      throw new Error(`watch of ${this.id}: HTTP ${response.statusCode}`);
    const parser = createParser({
      onEvent: (event) => {
        if (event.event !== 'snapshot') return;
        const snapshot = JSON.parse(event.data) as { version: string; hash: string };
        const entry: Received = { version: snapshot.version, at: performance.now() };
        this.received.push(entry);
        void this.ack(snapshot).then(() => {
          entry.ackedAt = performance.now();
        });
      },
    });
    void (async () => {
      try {
        for await (const chunk of response.body) parser.feed((chunk as Buffer).toString('utf8'));
      } catch {
        // closed at the end of the run
      }
    })();
  }

  private async ack(snapshot: { version: string; hash: string }): Promise<void> {
    if (this.agent === undefined) return;
    const response = await request(`${this.proxyApiUrl}/v1/ack`, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json', 'x-weft-proxy-id': this.id },
      body: JSON.stringify({ version: snapshot.version, hash: snapshot.hash }),
    });
    await response.body.dump();
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.agent?.destroy();
  }
}
