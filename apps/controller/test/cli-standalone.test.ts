// `weft pki create` and `weft compile`: the files a standalone proxy needs, made by the real CLI.

import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { proxySnapshot } from '@weft/mesh-config';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

async function weft(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin/weft.js'), ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const WORKLOADS = `apiVersion: weft.dev/v1alpha1
kind: WorkloadList
workloads:
  - { id: frontend-1, service: frontend, namespace: shop, version: v1, address: 127.0.0.1, port: 15001 }
  - { id: catalog-1, service: catalog, namespace: shop, version: v1, address: 127.0.0.1, port: 15002 }
  - { id: inventory-1, service: inventory, namespace: shop, version: v1, address: 127.0.0.1, port: 15003 }
  - { id: reviews-1, service: reviews, namespace: shop, version: v1, address: 127.0.0.1, port: 15004 }
  - { id: ratings-1, service: ratings, namespace: shop, version: v1, address: 127.0.0.1, port: 15005 }
`;

describe('standalone files from the CLI', () => {
  it('creates a CA once and workload certificates with their SPIFFE IDs and private keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-pki-'));
    const first = await weft('pki', 'create', '-o', dir, 'shop/frontend', 'shop/catalog');
    expect(first.code).toBe(0);
    const ca = await readFile(join(dir, 'ca.pem'), 'utf8');
    const second = await weft('pki', 'create', '-o', dir, 'shop/reviews');
    expect(second.stdout).not.toContain('new root CA');
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe(ca);
    const leaf = new X509Certificate(await readFile(join(dir, 'shop-reviews.pem')));
    expect(leaf.subjectAltName).toContain('spiffe://weft.local/ns/shop/sa/reviews');
    expect(leaf.checkIssued(new X509Certificate(ca))).toBe(true);
    expect((await stat(join(dir, 'shop-reviews-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await weft('pki', 'create', '-o', dir, 'Shop/x')).code).toBe(2);
  });

  it('compiles one valid snapshot file per workload', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-compile-'));
    await writeFile(join(dir, 'workloads.yaml'), WORKLOADS);
    const result = await weft(
      'compile',
      '-f',
      'examples/mesh.yaml',
      '-w',
      join(dir, 'workloads.yaml'),
      '-o',
      join(dir, 'out'),
    );
    expect(result.code).toBe(0);
    const snapshot = JSON.parse(
      await readFile(join(dir, 'out', 'frontend-1.snapshot.json'), 'utf8'),
    );
    expect(proxySnapshot.safeParse(snapshot).success).toBe(true);
    expect(snapshot.upstreams.map((u: { service: string }) => u.service)).toEqual([
      'shop/catalog',
      'shop/reviews',
    ]);
  });

  it('names the line of a bad workload entry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-compile-'));
    const file = join(dir, 'workloads.yaml');
    await writeFile(file, WORKLOADS.replace('port: 15002', 'port: 99999'));
    const result = await weft(
      'compile',
      '-f',
      'examples/mesh.yaml',
      '-w',
      file,
      '-o',
      join(dir, 'out'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${file}:5:96 [doc 1] workloads[1].port: must be a port number from 1 to 65535, got 99999`,
    );
  });
});
