// The proxy's certificate files on a real disk: the private key is 0600 however it is written,
// even over what a crashed write left behind under the name a temporary file would take.

import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCertificateFiles } from './certificate-files.ts';

const MATERIAL = { certPem: 'CERT\n', keyPem: 'PRIVATE KEY\n', trustBundlePem: 'BUNDLE\n' };
const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe('certificate files', () => {
  let dir: string;
  let umask: number;
  beforeEach(async () => {
    // What most systems start a process with: files 0644 unless the writer asks otherwise.
    umask = process.umask(0o022);
    dir = await mkdtemp(join(tmpdir(), 'weft-cert-files-'));
  });
  afterEach(async () => {
    process.umask(umask);
    await rm(dir, { recursive: true, force: true });
  });

  const files = () => ({
    certFile: join(dir, 'cert.pem'),
    keyFile: join(dir, 'key.pem'),
    trustBundleFile: join(dir, 'ca.pem'),
  });

  it('writes the private key 0600 and leaves nothing else behind', async () => {
    await writeCertificateFiles(files(), MATERIAL);
    expect(await modeOf(files().keyFile)).toBe('600');
    expect(await readFile(files().keyFile, 'utf8')).toBe(MATERIAL.keyPem);
    expect((await readdir(dir)).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
  });

  it('never writes the key through a readable file or a link left where a temporary would go', async () => {
    // A proxy that crashed mid-write, with the pid it has again after a restart (pid 1 in a
    // container): the leftover is 0644, or a link planted to a file others can read.
    const leftover = `${files().keyFile}.${process.pid}.tmp`;
    const planted = join(dir, 'planted');
    await writeFile(planted, '', { mode: 0o644 });
    await symlink(planted, leftover);
    await writeCertificateFiles(files(), MATERIAL);
    expect(await modeOf(files().keyFile)).toBe('600');
    expect(await readFile(planted, 'utf8')).toBe('');
  });
});
