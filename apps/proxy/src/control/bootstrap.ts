// First contact with the controller: a fresh key made here (it never leaves), a CSR, and the
// join token; back come the certificate and the trust bundle. Skipped while the certificate on
// disk is still good.

import { readFile } from 'node:fs/promises';
import { MeshError } from '@weft/errors';
import { proxyApi, type RequestOf, readAnswer } from '@weft/proxy-protocol';
import { request } from 'undici';
import type { ProxyConfig } from '../config/proxy-config.ts';
import { currentCertificate, writeCertificateFiles } from './certificate-files.ts';
import { controllerAgent } from './controller-tls.ts';

/** A certificate closer than this to expiry is replaced at start rather than used. */
const START_MARGIN_MS = 60_000;

export class BootstrapError extends MeshError {
  constructor(message: string) {
    super('MESH_ERR_BOOTSTRAP', message);
  }
}

export interface KeyAndCsr {
  readonly keyPem: string;
  readonly csrPem: string;
}

export async function newKeyAndCsr(): Promise<KeyAndCsr> {
  // Loaded here, not at start: the X.509 library is a fifth of the start-up CPU and ~15 MB of
  // memory, and a proxy needs it only to bootstrap and to renew (its own chunk in the bundle).
  const { createCsr, generateKeyPair } = await import('@weft/pki');
  const keys = await generateKeyPair();
  return {
    keyPem: keys.privateKeyPem,
    csrPem: await createCsr({ privateKeyPem: keys.privateKeyPem, publicKeyPem: keys.publicKeyPem }),
  };
}

export function advertisedAddress(config: ProxyConfig): string {
  const address = config.controller?.advertiseAddress ?? config.inbound.address;
  return address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
}

/** Makes sure usable certificate files exist, bootstrapping with the join token when they do not. */
export async function ensureCertificate(config: ProxyConfig): Promise<'kept' | 'bootstrapped'> {
  const controller = config.controller;
  if (controller === undefined) return 'kept';
  if ((await currentCertificate(config.tls, START_MARGIN_MS)) !== undefined) return 'kept';
  const token =
    process.env.WEFT_JOIN_TOKEN ??
    (controller.joinTokenFile === undefined
      ? undefined
      : (await readFile(controller.joinTokenFile, 'utf8')).trim());
  if (token === undefined || token === '') {
    throw new BootstrapError(
      'no usable certificate and no join token: set WEFT_JOIN_TOKEN or controller.joinTokenFile',
    );
  }
  if (config.inbound.port === 0)
    throw new BootstrapError(
      'inbound.port must be fixed with a controller: other proxies are told it',
    );
  const { keyPem, csrPem } = await newKeyAndCsr();
  const ca = await readFile(controller.trustBundleFile, 'utf8');
  const response = await request(`${controller.url}${proxyApi.bootstrap.path}`, {
    method: proxyApi.bootstrap.method,
    dispatcher: controllerAgent({ ca }),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      csr: csrPem,
      workload: {
        id: config.workload.id,
        ...(config.workload.version === undefined ? {} : { version: config.workload.version }),
        address: advertisedAddress(config),
        port: config.inbound.port,
      },
    } satisfies RequestOf<typeof proxyApi.bootstrap>),
  });
  // A 200 that breaks the protocol throws a ProtocolError naming the field.
  const answer = readAnswer(proxyApi.bootstrap, response.statusCode, await response.body.text());
  if (!answer.ok) {
    throw new BootstrapError(
      `the controller refused to bootstrap ${config.workload.id}: ${answer.error ?? `HTTP ${answer.status}`}`,
    );
  }
  await writeCertificateFiles(config.tls, {
    certPem: answer.value.certificate,
    keyPem,
    trustBundlePem: answer.value.trustBundle,
  });
  return 'bootstrapped';
}
