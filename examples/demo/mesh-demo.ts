// The demo mesh with its controller: `npm start`. The controller keeps the shop's configuration
// (examples/mesh.yaml) and CA in .weft/demo/weft.db; every service of the shop runs unchanged
// beside a proxy that bootstraps with a join token and receives its snapshots from the
// controller; steady traffic flows through the mesh. A second start reuses the database.
// The web console serves on --console-port (3000; 0 leaves it out).
// Usage: node --import tsx examples/demo/mesh-demo.ts [--dir .weft/demo] [--rate 20] [--console-port 3000]

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTRPCClient, httpLink } from '@trpc/client';
import superjson from 'superjson';
import { stringify } from 'yaml';
import type { AppRouter } from '../../apps/controller/src/api/root.ts';
import { startConsole } from './console.ts';
import { allocateInstances, frontendOf, launchInstance, proxyConfigBase } from './instances.ts';
import { startDemo } from './lifecycle.ts';
import { freePort, waitForOk } from './processes.ts';
import { INSTANCES, NAMESPACE } from './topology.ts';
import { generateTraffic } from './traffic.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const ADMIN = 'admin';
const JOIN_TOKEN_TTL_HOURS = 1;

const { dir, rate, consolePort, children, stopped, log, shutdown } = startDemo(
  join(ROOT, '.weft/demo'),
);
/** Proxies report traffic this often, so the console's numbers follow a canary change quickly. */
const TELEMETRY_INTERVAL_MS = 2_000;

/** The admin password is made on the first start and kept (0600) for the next ones. */
async function adminPassword(): Promise<string> {
  const file = join(dir, 'admin-password');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(12).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

try {
  await mkdir(join(dir, 'proxies'), { recursive: true });
  log(`weft demo: work folder ${dir}`);
  const password = await adminPassword();
  const [apiPort, proxyApiPort] = [await freePort(), await freePort()];
  // Shared by the controller and the console only: with it the console may tell the controller
  // each browser's address, which the sign-in throttle counts by.
  const consoleSecret = process.env.WEFT_CONSOLE_SECRET ?? randomBytes(32).toString('base64url');

  log('1/6 controller: database, CA, operator API and proxy API');
  const controller = children.start(
    'controller',
    process.execPath,
    [join(ROOT, 'bin/weft.js'), 'controller'],
    {
      WEFT_DB: join(dir, 'weft.db'),
      WEFT_API_PORT: String(apiPort),
      WEFT_PROXY_API_PORT: String(proxyApiPort),
      WEFT_ADMIN_USERNAME: ADMIN,
      WEFT_ADMIN_PASSWORD: password,
      WEFT_CONSOLE_SECRET: consoleSecret,
      WEFT_LOG_LEVEL: 'warn',
    },
  );
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitForOk(`${apiUrl}/healthz`, controller);

  log('2/6 configuration: examples/mesh.yaml applied as a revision (unchanged on a second start)');
  const signIn = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${apiUrl}/trpc`, transformer: superjson })],
  });
  const { token } = await signIn.auth.login.mutate({
    username: ADMIN,
    password,
    mode: 'token',
    tokenName: 'demo',
  });
  const api = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${apiUrl}/trpc`,
        transformer: superjson,
        headers: { authorization: `Bearer ${token}` },
      }),
    ],
  });
  const applied = await api.config.applyYaml.mutate({
    yaml: await readFile(join(ROOT, 'examples/mesh.yaml'), 'utf8'),
    file: 'examples/mesh.yaml',
    message: 'the demo shop',
  });
  log(
    applied.changed
      ? `    revision ${applied.revision}`
      : `    unchanged (revision ${applied.revision})`,
  );

  log('3/6 join tokens: one per service, for its instances');
  const tokens = new Map<string, string>();
  for (const service of new Set(INSTANCES.map((i) => i.service))) {
    const count = INSTANCES.filter((i) => i.service === service).length;
    const created = await api.tokens.create.mutate({
      service,
      namespace: NAMESPACE,
      expiresInHours: JOIN_TOKEN_TTL_HOURS,
      maxUses: count,
    });
    tokens.set(service, created.token);
  }

  log('4/6 processes: each service, and its proxy bootstrapped by token');
  const trustBundleFile = join(dir, 'trust-bundle.pem');
  const instances = await allocateInstances();
  for (const instance of instances) {
    const config = join(dir, 'proxies', `${instance.id}.yaml`);
    await writeFile(
      config,
      stringify({
        ...proxyConfigBase(instance),
        tls: {
          certFile: `${instance.id}.pem`,
          keyFile: `${instance.id}-key.pem`,
          trustBundleFile: `${instance.id}-ca.pem`,
        },
        controller: {
          url: `https://127.0.0.1:${proxyApiPort}`,
          trustBundleFile,
          telemetryIntervalMs: TELEMETRY_INTERVAL_MS,
        },
        stateDir: join(dir, 'state', instance.id),
      }),
    );
    await launchInstance(children, instance, config, {
      WEFT_JOIN_TOKEN: tokens.get(instance.service) ?? '',
    });
  }
  const frontend = frontendOf(instances);

  let consoleUrl: string | undefined;
  if (consolePort !== 0) {
    log('5/6 console: the web console, against the operator API');
    consoleUrl = await startConsole(children, consolePort, apiUrl, consoleSecret);
  }

  log('6/6 traffic: steady requests to the frontend, summarised every 5 s');
  log('');
  if (consoleUrl !== undefined) log(`  console:       ${consoleUrl}`);
  log(`  sign in:       user "${ADMIN}", password ${password}`);
  log(`  operator API:  ${apiUrl}`);
  log(
    `  the CLI:       export WEFT_SERVER=${apiUrl} WEFT_TOKEN=${token} WEFT_NAMESPACE=${NAMESPACE}`,
  );
  log('                 npx weft proxy-status; npx weft canary set catalog v1=70 v2=30 --wait');
  log('                 npx weft rollout start catalog v3   (the bad canary: watch it roll back)');
  log(`  the shop:      curl http://127.0.0.1:${frontend.appPort}/`);
  log('  stop:          Ctrl-C');
  log('');
  await generateTraffic(`http://127.0.0.1:${frontend.appPort}/`, rate, stopped, log);
} catch (error) {
  process.stderr.write(`demo failed: ${(error as Error).message}\n`);
  await shutdown(1);
}
