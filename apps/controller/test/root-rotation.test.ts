// Root rotation, step two, is held back by any proxy that may not trust the new root yet: a
// STALE one always, a DISCONNECTED one unless the operator says it is gone for good (force).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from '../src/controller.ts';
import { type AdminController, startAdminController } from './admin-controller.ts';
import { ROOT, waitFor } from './mesh-helpers.ts';
import { bootstrapProxy, type TestProxy } from './proxy-api-client.ts';

describe('activating a root rotation', () => {
  let controller: RunningController;
  let admin: AdminController['admin'];
  let away: TestProxy;
  let present: TestProxy;

  const syncState = async (id: string) =>
    (await admin.proxies.list.query()).find((p) => p.id === id)?.syncState;
  /** Opens a watch stream, applies what it is sent first, and says so (ACK). */
  const applyLatest = async (proxy: TestProxy) => {
    const { snapshot, close } = await proxy.watch();
    await proxy.post('/v1/ack', { version: snapshot.version, hash: snapshot.hash });
    return close;
  };
  const signingRoot = async () =>
    (await admin.certificates.inventory.query()).roots.find((r) => r.authority === 'signing')
      ?.serial;

  beforeAll(async () => {
    ({ controller, admin } = await startAdminController('root-rotation'));
    await admin.config.applyYaml.mutate({
      yaml: await readFile(join(ROOT, 'examples/mesh.yaml'), 'utf8'),
      file: 'mesh.yaml',
    });
    const joining = await admin.tokens.create.mutate({ service: 'catalog', namespace: 'shop' });
    const bootstrap = (id: string, port: number) =>
      bootstrapProxy({
        proxyApiUrl: controller.proxyApiUrl,
        trustBundleFile: controller.trustBundleFile,
        token: joining.token,
        id,
        version: 'v1',
        port,
      });
    present = await bootstrap('catalog-present', 20_101);
    away = await bootstrap('catalog-away', 20_102);
    // The one away applied a snapshot from before the rotation, then lost its stream.
    const closeAway = await applyLatest(away);
    closeAway();
    await waitFor('the proxy away to show as DISCONNECTED', async () =>
      (await syncState(away.id)) === 'DISCONNECTED' ? true : undefined,
    );
  }, 60_000);
  afterAll(async () => {
    await controller?.close();
  });

  let prepared: { root: string; intermediate: string };
  let before: string | undefined;
  let presentStream: Awaited<ReturnType<TestProxy['watch']>>;

  it('is refused, even with force, while a connected proxy has not applied the new bundle', async () => {
    before = await signingRoot();
    prepared = await admin.certificates.prepareRootRotation.mutate();
    // The present proxy connects and is sent the snapshot that carries the new root; not yet applied.
    presentStream = await present.watch();
    await waitFor('the present proxy to be STALE', async () =>
      (await syncState(present.id)) === 'STALE' ? true : undefined,
    );
    await expect(admin.certificates.activateRootRotation.mutate({ force: true })).rejects.toThrow(
      'not yet: catalog-present (STALE) may not trust the new root; activate when every proxy is SYNCED',
    );
    expect(await signingRoot()).toBe(before);
  });

  it('then waits for a DISCONNECTED proxy, goes past it only with force, and audits that', async () => {
    const { snapshot, close } = presentStream;
    await present.post('/v1/ack', { version: snapshot.version, hash: snapshot.hash });
    await waitFor('the present proxy to be SYNCED on the new bundle', async () =>
      (await syncState(present.id)) === 'SYNCED' ? true : undefined,
    );
    await expect(admin.certificates.activateRootRotation.mutate()).rejects.toThrow(
      'not yet: catalog-away (DISCONNECTED) may not trust the new root; activate when every proxy is SYNCED, or with force if the disconnected ones are gone for good',
    );
    expect(await signingRoot()).toBe(before);

    const activated = await admin.certificates.activateRootRotation.mutate({ force: true });
    expect(activated).toEqual(prepared);
    expect(await signingRoot()).toBe(prepared.root);
    const entries = await admin.audit.list.query({ target: `certificate/${prepared.root}` });
    expect(
      entries.find((entry) => entry.action === 'certificates.activateRootRotation')?.detail,
    ).toMatchObject({ forcedPast: ['catalog-away'] });
    close();
  });
});
