// `weft validate` run as an operator runs it: the real bin, real files, exit codes and stderr.

import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const WEFT = join(ROOT, 'bin/weft.js');

async function weft(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [WEFT, ...args], {
      cwd: ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-cli-'));
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

const SERVICE = `apiVersion: weft.dev/v1alpha1
kind: Service
metadata: { name: catalog, namespace: shop }
spec:
  ports: [{ port: 8080 }]
  versions: [{ name: v1 }, { name: v2 }]
`;

describe('weft validate', () => {
  it('accepts examples/mesh.yaml', async () => {
    const result = await weft('validate', 'examples/mesh.yaml');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^valid: 17 resources in 1 file\(s\)/);
  });

  it('lists every error with file:line:column and field path, and exits 1', async () => {
    const file = await tempFile(
      'mesh.yaml',
      `${SERVICE}---
apiVersion: weft.dev/v1alpha1
kind: HTTPRoute
metadata: { name: catalog, namespace: shop }
spec:
  parentRefs: [{ name: catalog }]
  rules:
    - backendRefs:
        - { name: catalog, version: v1, weight: -5 }
      timeouts: { request: 3 days }
`,
    );
    const result = await weft('validate', file);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      `${file}:15:49 [doc 2] HTTPRoute/catalog spec.rules[0].backendRefs[0].weight: must be a non-negative integer, got -5`,
      `${file}:16:28 [doc 2] HTTPRoute/catalog spec.rules[0].timeouts.request: must be a duration such as "250ms", "5s" or "1m30s", got "3 days"`,
      'invalid: 2 problems in 1 file',
      '',
    ]);
  });

  it('names a dangling backend across files', async () => {
    const services = await tempFile('services.yaml', SERVICE);
    const routes = await tempFile(
      'routes.yaml',
      `apiVersion: weft.dev/v1alpha1
kind: HTTPRoute
metadata: { name: catalog, namespace: shop }
spec:
  parentRefs: [{ name: catalog }]
  rules:
    - backendRefs: [{ name: catalogue }]
`,
    );
    const result = await weft('validate', services, routes);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${routes}:7:29 [doc 1] HTTPRoute/catalog spec.rules[0].backendRefs[0].name: refers to Service "shop/catalogue", which is not defined`,
    );
  });

  it('reports issues as JSON for tools', async () => {
    const file = await tempFile('bad.yaml', 'kind: Gateway\n');
    const result = await weft('validate', '--output', 'json', file);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      valid: false,
      issues: [{ file, line: 1, column: 7, path: 'kind' }],
    });
  });

  it('exits 2 for a file it cannot read', async () => {
    const result = await weft('validate', 'no/such/file.yaml');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('no/such/file.yaml: cannot read: ENOENT\n');
  });

  it('prints usage for --help', async () => {
    const result = await weft('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('validate [options] <files...>');
  });
});
