// Fault under load: every certificate of the mesh is replaced, the root included. The new root
// is prepared (every proxy receives it in its trust bundle and acknowledges), activated (it and
// a new intermediate sign from then on, and the controller serves a certificate from them), and
// every proxy renews onto it: the mesh's rotateAfter is set so that proxies renew about every
// 12 s, so the renewals come while the load runs. Not one request may fail.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { ReliabilityMesh, sleep, waitUntil } from './reliability/mesh.ts';
import { OpenLoopLoad } from './reliability/open-loop.ts';
import { chooseRate, recordResult, reliabilitySettings } from './reliability/scenario.ts';

const settings = reliabilitySettings();
/**
 * The shortest lifetime the Mesh allows; renewal at 12% of it is 72 s after notBefore, which the
 * CA backdates by a minute: about 12 s after each certificate is issued.
 */
const CERTIFICATES = '  certificates: { lifetime: 10m, rotateAfter: 0.12 }';
const WARMUP_MS = 2_000;
const AFTER_MS = 3_000;
const RENEWAL_TIMEOUT_MS = 40_000;

const countCertificates = (pem: string) => pem.split('-----BEGIN CERTIFICATE-----').length - 1;

/** The serial of the CA that signed the certificate a TLS server presents. */
async function servedIssuerSerial(url: string): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  const socket = connect({
    host: hostname,
    port: Number(port),
    rejectUnauthorized: false,
  });
  await new Promise((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const chain = socket.getPeerCertificate(true) as PeerCertificate & {
    issuerCertificate?: PeerCertificate;
  };
  socket.destroy();
  return chain.issuerCertificate?.serialNumber?.toUpperCase();
}

describe('reliability: every certificate rotated under load', () => {
  let mesh: ReliabilityMesh | undefined;
  afterAll(async () => {
    await mesh?.close();
  });

  it('rotates the root, the intermediate, the controller and every proxy with 0 failed requests', async () => {
    mesh = await ReliabilityMesh.start({
      name: 'certificates',
      proxyBin: settings.proxyBin,
      settings: { meshSpec: CERTIFICATES },
    });
    const { api, dir } = mesh;
    const chosen = await chooseRate(mesh, settings);
    const before = await api.proxies.list.query();
    const load = new OpenLoopLoad({ url: mesh.url, rate: chosen.rate });
    await sleep(WARMUP_MS);

    load.mark('prepare');
    const prepared = await api.certificates.prepareRootRotation.mutate();
    await mesh.waitSynced(() => true);
    await waitUntil('every proxy to trust both roots', RENEWAL_TIMEOUT_MS, async () => {
      const bundles = await Promise.all(
        before.map((p) => readFile(join(dir, `${p.id}-ca.pem`), 'utf8')),
      );
      return bundles.every((b) => countCertificates(b) === 2);
    });
    await mesh.waitSynced();
    load.mark('activate');
    const activated = await api.certificates.activateRootRotation.mutate();
    expect(activated).toEqual(prepared);

    await waitUntil('every proxy to renew onto the new root', RENEWAL_TIMEOUT_MS, async () => {
      const leaves = new Map(
        (await api.certificates.list.query({ kind: 'LEAF' })).map((c) => [c.serial, c]),
      );
      const serials = await Promise.all(
        before.map(
          async (p) =>
            (
              (await (
                await fetch(`http://127.0.0.1:${mesh?.proxy(p.id).ports.admin}/certs`)
              ).json()) as { serial: string }
            ).serial,
        ),
      );
      return serials.every((s) => leaves.get(s)?.issuerSerial === activated.intermediate);
    });
    load.mark('renewed');
    const controllerIssuer = await servedIssuerSerial(mesh.proxyApiUrl);
    await sleep(AFTER_MS);
    const report = await load.stop();

    const rejections = await Promise.all(
      before.map(async (p) => {
        const text = await (
          await fetch(`http://127.0.0.1:${mesh?.proxy(p.id).ports.admin}/metrics`)
        ).text();
        return [...text.matchAll(/^weft_tls_rejections_total\{[^}]*\} (\d+)$/gm)].reduce(
          (sum, m) => sum + Number(m[1]),
          0,
        );
      }),
    );
    const leaves = await api.certificates.list.query({ kind: 'LEAF' });
    await recordResult('certificates', {
      chosen,
      load: report,
      rotated: activated,
      leavesIssued: leaves.length,
      tlsRejections: rejections.reduce((a, b) => a + b, 0),
    });
    expect(report.failures).toEqual({});
    expect(controllerIssuer).toBe(activated.intermediate);
    expect(rejections).toEqual(before.map(() => 0));
  }, 120_000);
});
