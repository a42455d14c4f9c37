// A two-hop mesh for tests: a client proxy, and a server service in two versions behind their
// own proxies, all on loopback with a test CA made at start.

import type { ProxySnapshot } from '@weft/mesh-config';
import { createTestPki, type TestPki } from '@weft/pki';
import type { RunningProxy } from '../src/proxy.ts';
import {
  compile,
  launch,
  type ProxyFiles,
  proxyConfig,
  startService,
  type TestService,
  tempDir,
  withPort,
  writeIdentity,
} from './harness.ts';

export const TEST_MESH = (routeRules: string, extra = '') => `
apiVersion: weft.dev/v1alpha1
kind: Mesh
metadata: { name: default }
spec:
  trustDomain: weft.local
  access: { defaultAction: allow }
---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: client, namespace: shop }
spec:
  ports: [{ port: 8080 }]
  upstreams: [{ service: { name: server } }]
---
apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: server, namespace: shop }
spec:
  ports: [{ port: 8080 }]
  versions: [{ name: v1 }, { name: v2 }]
---
apiVersion: weft.dev/v1alpha1
kind: HTTPRoute
metadata: { name: server, namespace: shop }
spec:
  parentRefs: [{ name: server }]
  rules:
${routeRules}
${extra}`;

export const SPLIT_70_30 = `
    - matches: [{ headers: [{ name: x-version, value: v2 }] }]
      backendRefs: [{ name: server, version: v2 }]
    - backendRefs:
        - { name: server, version: v1, weight: 70 }
        - { name: server, version: v2, weight: 30 }`;

export interface TestMesh {
  readonly pki: TestPki;
  readonly dir: string;
  readonly services: { v1: TestService; v2: TestService };
  readonly proxies: { client: RunningProxy; v1: RunningProxy; v2: RunningProxy };
  readonly files: { client: ProxyFiles; v1: ProxyFiles; v2: ProxyFiles };
  /** Compiles the mesh YAML for the running proxies' ports. */
  snapshots(meshYaml: string, version?: string): Map<string, ProxySnapshot>;
  /** Compiles and applies to every proxy. */
  apply(meshYaml: string, version?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startTestMesh(
  meshYaml: string,
  options: {
    handlers?: Partial<Record<'v1' | 'v2', Parameters<typeof startService>[1]>>;
    /** Extra ProxyConfig sections (tracing, accessLog...) per proxy. */
    sections?: Partial<Record<'client' | 'v1' | 'v2', Record<string, unknown>>>;
  } = {},
): Promise<TestMesh> {
  const pki = await createTestPki({ intermediate: true });
  const dir = await tempDir();
  const services = {
    v1: await startService('server-v1', options.handlers?.v1),
    v2: await startService('server-v2', options.handlers?.v2),
  };
  const files = {
    client: await writeIdentity(pki, dir, 'shop', 'client'),
    v1: await writeIdentity(pki, dir, 'shop', 'server'),
    v2: await writeIdentity(pki, dir, 'shop', 'server'),
  };
  const v1 = await launch(
    proxyConfig(
      { id: 'server-v1', service: 'server', namespace: 'shop', version: 'v1' },
      services.v1.port,
      files.v1,
      { httpProxy: false, sections: options.sections?.v1 },
    ),
  );
  const v2 = await launch(
    proxyConfig(
      { id: 'server-v2', service: 'server', namespace: 'shop', version: 'v2' },
      services.v2.port,
      files.v2,
      { httpProxy: false, sections: options.sections?.v2 },
    ),
  );
  const clientProxy = await launch(
    proxyConfig({ id: 'client-1', service: 'client', namespace: 'shop' }, 1, files.client, {
      sections: options.sections?.client,
    }),
  );
  const proxies = { client: clientProxy, v1, v2 };
  const snapshots = (yaml: string, version = 'v1') =>
    compile(
      yaml,
      [
        withPort({ id: 'client-1', service: 'client', namespace: 'shop' }, clientProxy),
        withPort({ id: 'server-v1', service: 'server', namespace: 'shop', version: 'v1' }, v1),
        withPort({ id: 'server-v2', service: 'server', namespace: 'shop', version: 'v2' }, v2),
      ],
      version,
    );
  const apply = async (yaml: string, version = 'v1') => {
    const compiled = snapshots(yaml, version);
    for (const [id, proxy] of [
      ['client-1', clientProxy],
      ['server-v1', v1],
      ['server-v2', v2],
    ] as const) {
      await proxy.store.apply(compiled.get(id));
    }
  };
  await apply(meshYaml);
  return {
    pki,
    dir,
    services,
    proxies,
    files,
    snapshots,
    apply,
    async close() {
      await Promise.all([clientProxy.close(), v1.close(), v2.close()]);
      await Promise.all([services.v1.close(), services.v2.close()]);
    },
  };
}
