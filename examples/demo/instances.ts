// The demo's instances as processes: ports for each, and a service beside its proxy, started
// and waited for. Both demos (with and without a controller) start them the same way.

import { join, resolve } from 'node:path';
import { type Children, freePort, waitForOk } from './processes.ts';
import { type DemoInstance, INSTANCES, NAMESPACE } from './topology.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PROXY_BUNDLE = join(ROOT, 'apps/proxy/dist/weft-proxy.mjs');
const DEMO_SERVICE = join(ROOT, 'examples/demo/demo-service.ts');

export interface RunningInstance extends DemoInstance {
  /** Instances of one service open the same upstream ports; on one machine each proxy gets its
   * own loopback address for them, as each pod would have its own localhost. */
  readonly outboundAddress: string;
  readonly appPort: number;
  readonly inboundPort: number;
  readonly adminPort: number;
}

export async function allocateInstances(): Promise<RunningInstance[]> {
  return Promise.all(
    INSTANCES.map(async (instance, index) => ({
      ...instance,
      outboundAddress: `127.0.10.${index + 1}`,
      appPort: await freePort(),
      inboundPort: await freePort(),
      adminPort: await freePort(),
    })),
  );
}

/** Starts the instance's proxy (from `config`) and its service, and waits for the proxy to be ready. */
export async function launchInstance(
  children: Children,
  instance: RunningInstance,
  config: string,
  proxyEnv: NodeJS.ProcessEnv = {},
): Promise<void> {
  const proxy = children.start(
    `${instance.id} proxy`,
    process.execPath,
    [PROXY_BUNDLE, '--config', config, '--log-level', 'warn'],
    proxyEnv,
  );
  children.start(instance.id, process.execPath, [
    '--import',
    'tsx',
    DEMO_SERVICE,
    instance.service,
    instance.version,
    String(instance.appPort),
    instance.outboundAddress,
  ]);
  await waitForOk(`http://127.0.0.1:${instance.adminPort}/ready`, proxy);
}

export function frontendOf(instances: readonly RunningInstance[]): RunningInstance {
  const frontend = instances.find((i) => i.service === 'frontend');
  if (frontend === undefined) throw new Error('the demo topology has no frontend');
  return frontend;
}

/** The ProxyConfig fields both demos write alike; each adds how the proxy gets its TLS and snapshots. */
export function proxyConfigBase(instance: RunningInstance) {
  return {
    apiVersion: 'weft.dev/v1alpha1',
    kind: 'ProxyConfig',
    workload: {
      id: instance.id,
      service: instance.service,
      namespace: NAMESPACE,
      version: instance.version,
    },
    inbound: { address: '127.0.0.1', port: instance.inboundPort },
    outbound: { address: instance.outboundAddress },
    application: { port: instance.appPort },
    admin: { port: instance.adminPort },
  };
}
