// What the controller leaves on disk is its owner's alone: the database with its WAL and
// shared-memory files, the sealing key, backups and restored databases are 0600 and the folders
// Weft makes for them 0700, whatever the umask, after a real start, apply, backup and restore.
// A database left readable by an older version is tightened when it is opened. A proxy that
// bootstraps against the controller writes its private key 0600.

import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSealingKey, sealingKeyFileFor } from '../src/ca/sealing-key.ts';
import { BACKUP_DATABASE, BACKUP_MANIFEST, createBackup } from '../src/db/backup.ts';
import { restoreBackup } from '../src/db/restore.ts';
import { startAdminController } from './admin-controller.ts';
import { freePort, startProxyProcess, stopEverything, waitFor } from './mesh-helpers.ts';

/** The umask most systems start processes with: files 0644 and folders 0755 unless asked. */
const COMMON_UMASK = 0o022;

const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

const SERVICE = `apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: vault, namespace: shop }
spec: { ports: [{ port: 80 }] }
`;

describe('files at rest', () => {
  let dir: string;
  let umask: number;

  beforeAll(async () => {
    umask = process.umask(COMMON_UMASK);
    dir = await mkdtemp(join(tmpdir(), 'weft-at-rest-'));
  });
  afterAll(async () => {
    process.umask(umask);
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the database, its WAL, the sealing key, backups and restores private', async () => {
    const databaseFile = join(dir, 'state', 'controller', 'weft.db');
    const c = await startAdminController('at-rest', { WEFT_DB: databaseFile });
    let modes: Record<string, string>;
    try {
      await c.admin.config.applyYaml.mutate({ yaml: SERVICE, message: 'something to keep' });
      const keyFile = sealingKeyFileFor(databaseFile);
      const backup = join(dir, 'backups', 'monday');
      await createBackup({
        databaseFile,
        out: backup,
        sealingKey: await readSealingKey(undefined, keyFile),
        sealingKeySource: keyFile,
      });
      const restored = join(dir, 'restored', 'weft.db');
      await restoreBackup({
        backup,
        databaseFile: restored,
        force: false,
        sealingKey: await readSealingKey(undefined, keyFile),
        sealingKeySource: keyFile,
        installKey: true,
      });
      modes = {};
      for (const path of [
        databaseFile,
        `${databaseFile}-wal`,
        `${databaseFile}-shm`,
        keyFile,
        join(dir, 'state'),
        join(dir, 'state', 'controller'),
        join(dir, 'backups'),
        backup,
        join(backup, BACKUP_DATABASE),
        join(backup, BACKUP_MANIFEST),
        join(dir, 'restored'),
        restored,
        sealingKeyFileFor(restored),
      ])
        modes[path.slice(dir.length)] = await modeOf(path);
    } finally {
      await c.controller.close();
    }
    expect(modes).toEqual({
      '/state/controller/weft.db': '600',
      '/state/controller/weft.db-wal': '600',
      '/state/controller/weft.db-shm': '600',
      '/state/controller/ca-sealing.key': '600',
      '/state': '700',
      '/state/controller': '700',
      '/backups': '700',
      '/backups/monday': '700',
      '/backups/monday/weft.db': '600',
      '/backups/monday/manifest.json': '600',
      '/restored': '700',
      '/restored/weft.db': '600',
      '/restored/ca-sealing.key': '600',
    });
  });

  it('tightens a database an older version left readable when it opens it', async () => {
    const databaseFile = join(dir, 'older', 'weft.db');
    const first = await startAdminController('at-rest-older', { WEFT_DB: databaseFile });
    await first.controller.close();
    await chmod(databaseFile, 0o644);
    const again = await startAdminController('at-rest-older', { WEFT_DB: databaseFile });
    try {
      await again.admin.config.applyYaml.mutate({ yaml: SERVICE, message: 'after the upgrade' });
      expect([await modeOf(databaseFile), await modeOf(`${databaseFile}-wal`)]).toEqual([
        '600',
        '600',
      ]);
    } finally {
      await again.controller.close();
    }
  });

  it('has a proxy write its private key 0600 when it bootstraps', async () => {
    const c = await startAdminController('at-rest-proxy');
    const proxyDir = join(dir, 'proxy');
    await mkdir(proxyDir);
    const { token } = await c.admin.tokens.create.mutate({ service: 'vault', namespace: 'shop' });
    const proxy = await startProxyProcess({
      dir: proxyDir,
      proxyApiUrl: c.controller.proxyApiUrl,
      trustBundleFile: c.controller.trustBundleFile,
      id: 'vault-1',
      service: 'vault',
      appPort: await freePort(),
      token,
    });
    try {
      const certificate = join(proxyDir, 'vault-1.pem');
      await waitFor('the proxy to bootstrap', () =>
        stat(certificate).then((found) => (found.size > 0 ? found : undefined)),
      );
      expect([await modeOf(join(proxyDir, 'vault-1-key.pem')), await modeOf(certificate)]).toEqual([
        '600',
        '644',
      ]);
    } finally {
      await stopEverything([proxy.child], [], c.controller);
    }
  }, 120_000);
});
