// The standalone demo mesh: the shop of examples/mesh.yaml with a proxy beside every service,
// certificates from a local CA, snapshots compiled from the YAML, and steady traffic. No
// controller: each proxy runs from files (`weft-proxy --config`). Ctrl-C stops everything.
// Usage: node --import tsx examples/demo/standalone.ts [--dir .weft/standalone] [--rate 20]

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  compileSnapshots,
  formatIssue,
  loadMeshConfig,
  type WorkloadEndpoint,
} from '@weft/mesh-config';
import { loadOrCreateCaFiles } from '@weft/pki';
import { stringify } from 'yaml';
import { issueFiles, spiffeId } from './certificates.ts';
import { allocateInstances, frontendOf, launchInstance, proxyConfigBase } from './instances.ts';
import { startDemo } from './lifecycle.ts';
import { NAMESPACE } from './topology.ts';
import { generateTraffic } from './traffic.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TRUST_DOMAIN = 'weft.local';

const { dir, rate, children, stopped, log, shutdown } = startDemo(join(ROOT, '.weft/standalone'));

try {
  log(`weft standalone demo: work folder ${dir}`);
  const meshText = await readFile(join(ROOT, 'examples/mesh.yaml'), 'utf8');
  const mesh = loadMeshConfig([{ file: 'examples/mesh.yaml', text: meshText }]);
  if (mesh.issues.length > 0) throw new Error(mesh.issues.map(formatIssue).join('\n'));

  log('1/4 certificates: a demo CA and one workload certificate per instance');
  const certDir = join(dir, 'certs');
  const { ca } = await loadOrCreateCaFiles(certDir, `${TRUST_DOMAIN} demo root CA`);
  const instances = await Promise.all(
    (await allocateInstances()).map(async (instance) => ({
      ...instance,
      tls: await issueFiles(
        ca,
        certDir,
        instance.id,
        spiffeId(TRUST_DOMAIN, NAMESPACE, instance.service),
      ),
    })),
  );

  log('2/4 snapshots: examples/mesh.yaml compiled for each proxy');
  const workloads: WorkloadEndpoint[] = instances.map((i) => ({
    id: i.id,
    service: i.service,
    namespace: NAMESPACE,
    version: i.version,
    address: '127.0.0.1',
    port: i.inboundPort,
  }));
  const snapshots = compileSnapshots({
    resources: mesh.resources.map((r) => r.resource),
    workloads,
    version: 'standalone-1',
  });
  await mkdir(join(dir, 'proxies'), { recursive: true });
  for (const instance of instances) {
    const snapshotFile = join(dir, 'proxies', `${instance.id}.snapshot.json`);
    await writeFile(snapshotFile, JSON.stringify(snapshots.get(instance.id), null, 2));
    await writeFile(
      join(dir, 'proxies', `${instance.id}.yaml`),
      stringify({
        ...proxyConfigBase(instance),
        tls: instance.tls,
        snapshotFile,
        stateDir: join(dir, 'state', instance.id),
      }),
    );
  }

  log('3/4 processes: each service and its proxy');
  for (const instance of instances) {
    await launchInstance(children, instance, join(dir, 'proxies', `${instance.id}.yaml`));
  }
  const frontend = frontendOf(instances);

  log('4/4 traffic: steady requests to the frontend, summarised every 5 s');
  log('');
  log(`  the shop:        curl http://127.0.0.1:${frontend.appPort}/`);
  for (const instance of instances) {
    log(
      `  ${instance.id.padEnd(14)} admin: http://127.0.0.1:${instance.adminPort}/metrics  (/config, /certs, /ready)`,
    );
  }
  log(
    '  change routing:  edit a snapshot file in the work folder; its proxy reloads it within a second',
  );
  log('  stop:            Ctrl-C');
  log('');
  await generateTraffic(`http://127.0.0.1:${frontend.appPort}/`, rate, stopped, log);
} catch (error) {
  process.stderr.write(`demo failed: ${(error as Error).message}\n`);
  await shutdown(1);
}
