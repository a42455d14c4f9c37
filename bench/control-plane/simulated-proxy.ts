// A proxy as the controller sees it, without a data plane: it bootstraps with a join token and
// a CSR over the real proxy API, keeps the watch stream open, and ACKs every snapshot at once.

import { createCsr, generateKeyPair } from '@weft/pki';
import {
  PROXY_ID_HEADER,
  proxyApi,
  type RequestOf,
  readAnswer,
  readSnapshotEvent,
  SNAPSHOT_EVENT,
  type SnapshotEventHead,
} from '@weft/proxy-protocol';
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
    const response = await request(`${this.proxyApiUrl}${proxyApi.bootstrap.path}`, {
      method: proxyApi.bootstrap.method,
      dispatcher: new Agent({
        connect: { ca: this.trustBundlePem, checkServerIdentity: () => undefined },
      }),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        csr,
        workload: { id: this.id, version: 'v1', address: '127.0.0.1', port },
      } satisfies RequestOf<typeof proxyApi.bootstrap>),
    });
    const answer = readAnswer(proxyApi.bootstrap, response.statusCode, await response.body.text());
    if (!answer.ok) throw new Error(`bootstrap of ${this.id} refused: ${answer.error}`);
    this.agent = new Agent({
      connections: 2,
      connect: {
        ca: this.trustBundlePem,
        cert: answer.value.certificate,
        key: keys.privateKeyPem,
        checkServerIdentity: () => undefined,
      },
    });
  }

  /** Opens the watch stream; resolves once it is open. */
  async watch(): Promise<void> {
    if (this.agent === undefined) throw new Error(`${this.id} has not bootstrapped`);
    const response = await request(`${this.proxyApiUrl}${proxyApi.watch.path}`, {
      dispatcher: this.agent,
      headers: { [PROXY_ID_HEADER]: this.id },
      signal: this.stop.signal,
      bodyTimeout: 0,
    });
    if (response.statusCode !== 200)
      throw new Error(`watch of ${this.id}: HTTP ${response.statusCode}`);
    const parser = createParser({
      onEvent: (event) => {
        if (event.event !== SNAPSHOT_EVENT) return;
        const { head } = readSnapshotEvent(event.data);
        const entry: Received = { version: head.version, at: performance.now() };
        this.received.push(entry);
        void this.ack(head).then(() => {
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

  private async ack(snapshot: SnapshotEventHead): Promise<void> {
    if (this.agent === undefined) return;
    const response = await request(`${this.proxyApiUrl}${proxyApi.ack.path}`, {
      method: proxyApi.ack.method,
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json', [PROXY_ID_HEADER]: this.id },
      body: JSON.stringify({
        version: snapshot.version,
        hash: snapshot.hash,
      } satisfies RequestOf<typeof proxyApi.ack>),
    });
    await response.body.dump();
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.agent?.destroy();
  }
}
