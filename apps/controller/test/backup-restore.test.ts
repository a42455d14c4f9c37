// `weft backup` of a running, busy controller and `weft restore` into a new place: a controller
// started there has the same revisions, users, tokens and CA. A proxy certificate issued before
// the backup still opens the restored controller's proxy API, and new ones are issued. Restore
// refuses damaged backups, unknown migrations, the wrong sealing key, and a database in use.

import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { sealingKeyFileFor } from '../src/ca/sealing-key.ts';
import { apiClient } from '../src/cli/api-client.ts';
import { type RunningController, startController } from '../src/controller.ts';
import {
  BACKUP_DATABASE,
  BACKUP_MANIFEST,
  type BackupManifest,
  sha256Of,
} from '../src/db/backup.ts';
import { restoreBackup } from '../src/db/restore.ts';
import { readEnv } from '../src/env.ts';
import { ADMIN_PASSWORD, startTestController, type TestController } from './api-harness.ts';
import { MESH, ROOT } from './mesh-helpers.ts';
import { bootstrapProxy } from './proxy-api-client.ts';

const WEFT = join(ROOT, 'bin/weft.js');

function weft(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [WEFT, ...args],
      { cwd: ROOT, env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

/** True when the chain's leaf leads, through the chain, to a root of the bundle. */
function chainsTo(chainPem: string, bundlePem: string): boolean {
  const split = (pem: string) =>
    (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
      (block) => new X509Certificate(block),
    );
  const chain = split(chainPem);
  const roots = split(bundlePem);
  let current = chain[0];
  for (let hops = 0; current !== undefined && hops < 4; hops++) {
    const cert: X509Certificate = current;
    const root = roots.find((r) => cert.checkIssued(r) && cert.verify(r.publicKey));
    if (root !== undefined) return true;
    current = chain.find((c) => c !== cert && cert.checkIssued(c) && cert.verify(c.publicKey));
  }
  return false;
}

/** A heartbeat to a proxy API with a proxy's own certificate: TLS trusts it, or refuses. */
function heartbeat(
  proxyApiUrl: string,
  trustBundle: string,
  proxyId: string,
  credentials: { cert: string; key: string },
): Promise<number> {
  const url = new URL(proxyApiUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/v1/heartbeat',
        method: 'POST',
        ca: trustBundle,
        ...credentials,
        checkServerIdentity: () => undefined,
        headers: { 'content-type': 'application/json', 'x-weft-proxy-id': proxyId },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end('{}');
  });
}

describe('weft backup and weft restore', () => {
  let source: TestController | undefined;
  let restored: RunningController | undefined;
  const dirs: string[] = [];
  afterAll(async () => {
    await restored?.close();
    await source?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('backs up a busy running controller and restores it elsewhere with its revisions, users and CA', async () => {
    source = await startTestController();
    const a = source.controller;
    const admin = apiClient({ server: a.apiUrl, token: source.adminToken });
    await admin.config.applyYaml.mutate({ yaml: MESH(19001, 100, 0), message: 'first' });
    await admin.config.applyYaml.mutate({ yaml: MESH(19001, 80, 20), message: 'canary 20%' });
    const joinToken = await admin.tokens.create.mutate({ service: 'server', namespace: 'shop' });
    const before = await bootstrapProxy({
      proxyApiUrl: a.proxyApiUrl,
      trustBundleFile: a.trustBundleFile,
      token: joinToken.token,
      id: 'server-before',
      version: 'v1',
      port: 18080,
    });
    const work = await mkdtemp(join(tmpdir(), 'weft-backup-'));
    dirs.push(work);

    // Applies keep landing while the backup reads: it must still be one consistent moment.
    let busy = true;
    let weight = 0;
    const applies = (async () => {
      while (busy) {
        weight = (weight + 7) % 100;
        await admin.config.applyYaml.mutate({
          yaml: MESH(19001, 100 - weight, weight),
          message: `busy ${weight}`,
        });
      }
    })();
    const backupDir = join(work, 'backup');
    const backup = await weft(['backup', '--db', a.databaseFile, '-o', backupDir]);
    busy = false;
    await applies;
    expect(backup, backup.stderr).toMatchObject({ code: 0 });
    expect(backup.stdout).toMatch(
      /sealed with key sha256:[0-9a-f]{32}, which is not in the backup/,
    );
    const manifest = JSON.parse(
      await readFile(join(backupDir, BACKUP_MANIFEST), 'utf8'),
    ) as BackupManifest;
    expect(manifest.ca).toMatchObject({ sealingKeyIncluded: false });
    expect(await a.services.revisions.latestId()).toBeGreaterThan(manifest.latestRevision);
    // Nothing unsealed was written: the only key material is the sealed column.
    const snapshotText = (await readFile(join(backupDir, BACKUP_DATABASE))).toString('latin1');
    expect(snapshotText).not.toContain('PRIVATE KEY');
    expect(await readFile(join(backupDir, BACKUP_MANIFEST), 'utf8')).not.toContain(
      (await readFile(sealingKeyFileFor(a.databaseFile), 'utf8')).trim(),
    );

    // The running controller's own database is not replaced without --force.
    const refused = await weft(['restore', backupDir, '--db', a.databaseFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is open in a running controller');

    const target = join(work, 'restored', 'weft.db');
    const noKey = await weft(['restore', backupDir, '--db', target]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('no sealing key was found');
    const restore = await weft([
      'restore',
      backupDir,
      '--db',
      target,
      '--ca-key-file',
      sealingKeyFileFor(a.databaseFile),
    ]);
    expect(restore, restore.stderr).toMatchObject({ code: 0 });
    expect((await stat(sealingKeyFileFor(target))).mode & 0o777).toBe(0o600);

    restored = await startController(
      readEnv({ WEFT_DB: target, WEFT_API_PORT: '0', WEFT_PROXY_API_PORT: '0' }),
      pino({ level: 'silent' }),
    );
    const b = restored;
    // The API token signed in on the old controller works on the new one, and so do passwords.
    const restoredAdmin = apiClient({ server: b.apiUrl, token: source.adminToken });
    await apiClient({ server: b.apiUrl }).auth.login.mutate({
      username: 'root',
      password: ADMIN_PASSWORD,
    });
    const summary = (r: { id: number; author: string; message: string; changes: unknown }) => [
      r.id,
      r.author,
      r.message,
      r.changes,
    ];
    const revisionsA = (await admin.revisions.list.query({ limit: 200 })).filter(
      (r) => r.id <= manifest.latestRevision,
    );
    const revisionsB = await restoredAdmin.revisions.list.query({ limit: 200 });
    expect(revisionsB.map(summary)).toEqual(revisionsA.map(summary));
    expect(revisionsB.length).toBe(manifest.counts.revisions);
    const newest = await restoredAdmin.revisions.get.query({ id: manifest.latestRevision });
    expect(await restoredAdmin.config.current.query()).toEqual(newest?.resources);
    expect(await restoredAdmin.users.list.query()).toEqual(await admin.users.list.query());
    expect(await restoredAdmin.tokens.list.query()).toEqual(await admin.tokens.list.query());

    // The same CA: the same roots, the old proxy's certificate opens the new proxy API, and the
    // join token from before the backup bootstraps a new proxy there.
    const bundle = await readFile(b.trustBundleFile, 'utf8');
    expect(bundle).toBe(await readFile(a.trustBundleFile, 'utf8'));
    expect(chainsTo(before.credentials().cert, bundle)).toBe(true);
    expect(await heartbeat(b.proxyApiUrl, bundle, before.id, before.credentials())).toBe(200);
    const after = await bootstrapProxy({
      proxyApiUrl: b.proxyApiUrl,
      trustBundleFile: b.trustBundleFile,
      token: joinToken.token,
      id: 'server-after',
      version: 'v2',
      port: 18081,
    });
    expect(chainsTo(after.credentials().cert, bundle)).toBe(true);
    const serials = (await restoredAdmin.certificates.list.query({})).map((c) => c.serial);
    for (const c of await admin.certificates.list.query({})) expect(serials).toContain(c.serial);
  });

  it('refuses a damaged backup, migrations it does not know, the wrong key, and replacing without --force', async () => {
    if (source === undefined) throw new Error('runs after the backup test');
    const work = await mkdtemp(join(tmpdir(), 'weft-restore-'));
    dirs.push(work);
    const good = join(work, 'good');
    const made = await weft(['backup', '--db', source.controller.databaseFile, '-o', good]);
    expect(made.code, made.stderr).toBe(0);
    expect(
      (await weft(['backup', '--db', source.controller.databaseFile, '-o', good])).stderr,
    ).toContain('already exists');
    const key = await readFile(sealingKeyFileFor(source.controller.databaseFile), 'utf8');
    const attempt = (
      backup: string,
      options: { force?: boolean; key?: Buffer; db?: string } = {},
    ) =>
      restoreBackup({
        backup,
        databaseFile: options.db ?? join(work, 'target', 'weft.db'),
        force: options.force ?? false,
        sealingKey: options.key ?? Buffer.from(key.trim(), 'base64'),
        sealingKeySource: 'test',
        installKey: true,
      });
    /** A copy of the good backup changed by `change`, its manifest checksum made to match. */
    const variant = async (name: string, change: (db: string) => Promise<void>) => {
      const dir = join(work, name);
      await cp(good, dir, { recursive: true });
      await change(join(dir, BACKUP_DATABASE));
      const manifest = JSON.parse(await readFile(join(dir, BACKUP_MANIFEST), 'utf8'));
      manifest.database.sha256 = await sha256Of(join(dir, BACKUP_DATABASE));
      await writeFile(join(dir, BACKUP_MANIFEST), JSON.stringify(manifest));
      return dir;
    };

    const flipped = join(work, 'flipped');
    await cp(good, flipped, { recursive: true });
    const bytes = await readFile(join(flipped, BACKUP_DATABASE));
    const middle = Math.floor(bytes.length / 2);
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
    await writeFile(join(flipped, BACKUP_DATABASE), bytes);
    await expect(attempt(flipped)).rejects.toThrow('does not match its manifest');

    const corrupt = await variant('corrupt', async (db) => {
      const data = await readFile(db);
      data.fill(0x41, 4096, Math.min(data.length, 4096 * 4));
      await writeFile(db, data);
    });
    await expect(attempt(corrupt)).rejects.toThrow(
      /integrity check|not a Weft database|cannot be opened/,
    );

    const future = await variant('future', async (file) => {
      const db = new Database(file);
      db.prepare(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ('x', 'y', '29990101000000_from_the_future', '2999-01-01', '2999-01-01', 1)",
      ).run();
      db.close();
    });
    await expect(attempt(future)).rejects.toThrow('which this weft does not know');

    await expect(attempt(good, { key: randomBytes(32) })).rejects.toThrow('does not unseal CA key');

    // Into a stopped database that exists: only with --force, and the old one is kept.
    const target = join(work, 'target', 'weft.db');
    await attempt(good);
    await expect(attempt(good)).rejects.toThrow('exists; --force replaces it');
    const replaced = await attempt(good, { force: true });
    expect(replaced.previous).toMatch(/weft\.db\.before-restore-/);
    expect(await sha256Of(replaced.previous ?? '')).toBe(await sha256Of(target));
  });
});
