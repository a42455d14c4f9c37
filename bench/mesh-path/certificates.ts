// The benchmark's test CA (root and intermediate, as in production) and the sidecars'
// certificates, written as PEM files that both Weft and nginx read.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestPki, type TestPki } from '@weft/pki';

const run = promisify(execFile);

export const NAMESPACE = 'bench';
/** nginx checks the server's DNS name; SPIFFE certificates carry only a URI, so its own has both. */
export const NGINX_SERVER_NAME = 'server.bench.svc';
/** Long enough for any run. */
const NGINX_CERT_LIFETIME_DAYS = 1;
const SERIAL_BYTES = 16;

export interface SidecarFiles {
  /** The leaf and its intermediate. */
  readonly certFile: string;
  /** PKCS#8 PEM. */
  readonly keyFile: string;
  /** The root certificate. */
  readonly trustBundleFile: string;
}

export interface BenchPki {
  readonly pki: TestPki;
  readonly client: SidecarFiles;
  readonly server: SidecarFiles;
}

export async function createBenchPki(dir: string): Promise<BenchPki> {
  const pki = await createTestPki({ intermediate: true });
  return {
    pki,
    client: await writeIdentity(pki, dir, 'client'),
    server: await writeIdentity(pki, dir, 'server'),
  };
}

async function writeIdentity(pki: TestPki, dir: string, service: string): Promise<SidecarFiles> {
  const identity = await pki.identity(NAMESPACE, service);
  const files = sidecarFiles(dir, service);
  await Promise.all([
    writeFile(files.certFile, identity.certPem),
    writeFile(files.keyFile, identity.keyPem, { mode: 0o600 }),
    writeFile(files.trustBundleFile, identity.caPem),
  ]);
  return files;
}

/**
 * nginx B's server certificate, issued with openssl by the same intermediate: the SPIFFE URI
 * of the server plus a DNS name, since proxy_ssl_verify checks a host name.
 */
export async function issueNginxServerCert(bench: BenchPki, dir: string): Promise<SidecarFiles> {
  const { issuer, root } = bench.pki;
  const files = sidecarFiles(dir, 'nginx-server');
  const issuerCert = join(dir, 'issuer.pem');
  const issuerKey = join(dir, 'issuer-key.pem');
  const csr = join(dir, 'nginx-server.csr');
  const extensions = join(dir, 'nginx-server.ext');
  const leaf = join(dir, 'nginx-server-leaf.pem');
  await Promise.all([
    writeFile(issuerCert, issuer.certPem),
    writeFile(issuerKey, issuer.keyPem, { mode: 0o600 }),
    writeFile(files.trustBundleFile, root.certPem),
    writeFile(
      extensions,
      [
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature',
        'extendedKeyUsage = serverAuth, clientAuth',
        `subjectAltName = DNS:${NGINX_SERVER_NAME}, URI:spiffe://${bench.pki.trustDomain}/ns/${NAMESPACE}/sa/server`,
      ].join('\n'),
    ),
  ]);
  await run('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    files.keyFile,
  ]);
  await run('openssl', [
    'req',
    '-new',
    '-key',
    files.keyFile,
    '-subj',
    `/CN=${NGINX_SERVER_NAME}`,
    '-out',
    csr,
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    issuerCert,
    '-CAkey',
    issuerKey,
    '-set_serial',
    `0x${randomBytes(SERIAL_BYTES).toString('hex')}`,
    '-days',
    String(NGINX_CERT_LIFETIME_DAYS),
    '-extfile',
    extensions,
    '-out',
    leaf,
  ]);
  await writeFile(files.certFile, (await readFile(leaf, 'utf8')) + issuer.chainPem);
  return files;
}

function sidecarFiles(dir: string, name: string): SidecarFiles {
  return {
    certFile: join(dir, `${name}.pem`),
    keyFile: join(dir, `${name}-key.pem`),
    trustBundleFile: join(dir, `${name}-ca.pem`),
  };
}
