// For the rollout tests: a mesh with one Rollout per service, and stand-in proxies that join with
// a token and upload traffic batches (built with @weft/telemetry) over the proxy API, the path
// real proxies take.

import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createCsr, generateKeyPair } from '@weft/pki';
import { PROXY_ID_HEADER } from '@weft/proxy-protocol';
import { TrafficWindow } from '@weft/telemetry';

/** One Rollout per service, each with its own steps; every service has v1, v2 and v3. */
export function rolloutMesh(
  rollouts: Record<string, { steps: string; analysis?: string; rollbackOnFailure?: boolean }>,
): string {
  const docs = [
    `apiVersion: weft.dev/v1alpha1
kind: Mesh
metadata: { name: default }
spec:
  trustDomain: weft.local
  access: { defaultAction: allow }`,
    `apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: frontend, namespace: shop }
spec:
  ports: [{ port: 8080 }]
  upstreams: [${Object.keys(rollouts)
    .map((s) => `{ service: { name: ${s} } }`)
    .join(', ')}]`,
  ];
  for (const [service, rollout] of Object.entries(rollouts)) {
    docs.push(
      `apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: ${service}, namespace: shop }
spec:
  ports: [{ port: 8080 }]
  versions: [{ name: v1 }, { name: v2 }, { name: v3 }]`,
      // The canary is not in the route yet: the rollout has to add it.
      `apiVersion: weft.dev/v1alpha1
kind: HTTPRoute
metadata: { name: ${service}, namespace: shop }
spec:
  parentRefs: [{ name: ${service} }]
  rules:
    - name: testers
      matches: [{ headers: [{ name: x-canary, value: "1" }] }]
      backendRefs: [{ name: ${service}, version: v3 }]
    - name: split
      backendRefs: [{ name: ${service}, version: v1, weight: 100 }]`,
      `apiVersion: weft.dev/v1alpha1
kind: Rollout
metadata: { name: ${service}, namespace: shop }
spec:
  service: ${service}
  stableVersion: v1
  canaryVersion: v2
  steps: ${rollout.steps}
  analysis: ${rollout.analysis ?? '{ interval: 1s, minSuccessRate: 0.95, maxP99Latency: 300ms, minRequests: 10, failureLimit: 2 }'}
  rollbackOnFailure: ${rollout.rollbackOnFailure ?? true}`,
    );
  }
  return docs.join('\n---\n');
}

/** How one version of one service behaves: requests per batch, failing share, latency. */
export interface Traffic {
  readonly requests: number;
  readonly errorRate?: number;
  readonly latencyMs?: number;
}

const UPLOAD_EVERY_MS = 200;
const CONTROLLER_SAN = '/ns/weft-system/sa/controller';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function post(
  url: string,
  body: unknown,
  tls: { ca: string; cert?: string; key?: string },
  headers: Record<string, string> = {},
): Promise<Answer> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ...tls,
        headers: { 'content-type': 'application/json', ...headers },
        checkServerIdentity: (_host, cert) =>
          (cert.subjectaltname ?? '').includes(CONTROLLER_SAN)
            ? undefined
            : new Error(`not the controller: ${cert.subjectaltname}`),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** A proxy's credentials after it joined: what it uploads with. */
interface Joined {
  readonly proxyId: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * The proxies of every version of every service in all but forwarding: each joins with its
 * service's token and the version it serves, then every 200 ms uploads what it "answered" (the
 * destination side, which a canary is judged on), calls from shop/frontend, as the traffic table
 * says at that moment.
 */
export class TelemetryFeeder {
  /** service -> version -> traffic; tests change it while the feeder runs. */
  readonly traffic = new Map<string, Record<string, Traffic>>();
  private readonly joined = new Map<string, Joined>();
  private timer: NodeJS.Timeout | undefined;
  private sequence = Date.now();
  private uploading: Promise<void> = Promise.resolve();
  uploaded = 0;

  /** `tokenFor` gives a join token for a service of the shop namespace. */
  private constructor(
    private readonly proxyApiUrl: () => string,
    private readonly ca: string,
    private readonly tokenFor: (service: string) => Promise<string>,
  ) {}

  static async join(
    proxyApiUrl: () => string,
    trustBundleFile: string,
    tokenFor: (service: string) => Promise<string>,
  ): Promise<TelemetryFeeder> {
    return new TelemetryFeeder(proxyApiUrl, await readFile(trustBundleFile, 'utf8'), tokenFor);
  }

  start(): void {
    let busy = false;
    this.timer = setInterval(() => {
      // A round of uploads can outlast the interval: skip a tick rather than queue up rounds.
      if (busy) return;
      busy = true;
      this.uploading = this.upload()
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, UPLOAD_EVERY_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.uploading;
  }

  /** One batch per version now; throws when the controller refuses one. */
  async upload(): Promise<void> {
    for (const [service, versions] of this.traffic) {
      for (const [version, traffic] of Object.entries(versions)) {
        const proxy = await this.proxyOf(service, version);
        const window = new TrafficWindow();
        const failing = Math.round(traffic.requests * (traffic.errorRate ?? 0));
        for (let i = 0; i < traffic.requests; i++) {
          const status = i < failing ? 503 : 200;
          const key = {
            reporter: 'destination' as const,
            source: 'shop/frontend',
            destination: `shop/${service}`,
            destinationVersion: version,
            route: '',
            statusClass: `${Math.floor(status / 100)}xx`,
          };
          // A spread of latencies around the figure, so percentiles mean something.
          window.record(key, status, (traffic.latencyMs ?? 20) * (0.5 + (i % 10) / 10), 200, 800);
        }
        this.sequence += 1;
        const answer = await post(
          `${this.proxyApiUrl()}/v1/telemetry`,
          window.drain(proxy.proxyId, this.sequence),
          { ca: this.ca, cert: proxy.cert, key: proxy.key },
          { [PROXY_ID_HEADER]: proxy.proxyId },
        );
        if (answer.status !== 200)
          throw new Error(`telemetry refused: ${JSON.stringify(answer.body)}`);
      }
    }
    this.uploaded += 1;
  }

  /** The proxy of one version of a service, joined the first time it is needed. */
  private async proxyOf(service: string, version: string): Promise<Joined> {
    const proxyId = `${service}-${version}-feeder`;
    const known = this.joined.get(proxyId);
    if (known !== undefined) return known;
    const keys = await generateKeyPair();
    const csr = await createCsr({
      privateKeyPem: keys.privateKeyPem,
      publicKeyPem: keys.publicKeyPem,
    });
    const answer = await post(
      `${this.proxyApiUrl()}/v1/bootstrap`,
      {
        token: await this.tokenFor(service),
        csr,
        workload: { id: proxyId, version, address: '127.0.0.1', port: 18_080 },
      },
      { ca: this.ca },
    );
    if (answer.status !== 200) throw new Error(`bootstrap refused: ${JSON.stringify(answer.body)}`);
    const joined = { proxyId, cert: String(answer.body.certificate), key: keys.privateKeyPem };
    this.joined.set(proxyId, joined);
    return joined;
  }
}
