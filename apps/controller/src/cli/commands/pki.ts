// `weft pki create`: a CA and workload certificates as files, for proxies run standalone.
// With a controller, proxies get certificates from its CA instead and keys never leave them.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_TRUST_DOMAIN, spiffeId } from '@weft/mesh-config';
import {
  DEFAULT_LEAF_LIFETIME_MS,
  generateKeyPair,
  issueLeafCertificate,
  loadOrCreateCaFiles,
} from '@weft/pki';
import type { Command } from 'commander';
import type { ValidateOutput } from './validate.ts';

const IDENTITY = /^([a-z0-9-]+)\/([a-z0-9-]+)$/;
const PRIVATE_FILE_MODE = 0o600;

export function registerPkiCommand(program: Command): void {
  const pki = program
    .command('pki')
    .description('certificates for proxies run without a controller');
  pki
    .command('create')
    .description('create (or reuse) a CA in DIR and issue a certificate for each NAMESPACE/SERVICE')
    .argument('<identities...>', 'workload identities as namespace/service, e.g. shop/frontend')
    .requiredOption(
      '-o, --out <dir>',
      'folder for ca.pem, ca-key.pem and <namespace>-<service>{.pem,-key.pem}',
    )
    .option('--trust-domain <domain>', 'SPIFFE trust domain', DEFAULT_TRUST_DOMAIN)
    .option(
      '--lifetime-hours <hours>',
      'workload certificate lifetime',
      String(DEFAULT_LEAF_LIFETIME_MS / 3_600_000),
    )
    .action(
      async (
        identities: string[],
        options: { out: string; trustDomain: string; lifetimeHours: string },
      ) => {
        process.exitCode = await createPki(identities, options, {
          out: (line) => process.stdout.write(`${line}\n`),
          err: (line) => process.stderr.write(`${line}\n`),
        });
      },
    );
}

export async function createPki(
  identities: readonly string[],
  options: { out: string; trustDomain: string; lifetimeHours: string },
  output: ValidateOutput,
): Promise<number> {
  const lifetimeHours = Number(options.lifetimeHours);
  if (!Number.isFinite(lifetimeHours) || lifetimeHours <= 0) {
    output.err(
      `--lifetime-hours must be a positive number, got ${JSON.stringify(options.lifetimeHours)}`,
    );
    return 2;
  }
  const bad = identities.find((identity) => !IDENTITY.test(identity));
  if (bad !== undefined) {
    output.err(
      `${JSON.stringify(bad)} is not namespace/service (lowercase letters, digits and "-")`,
    );
    return 2;
  }
  const { ca, created, certFile } = await loadOrCreateCaFiles(
    options.out,
    `${options.trustDomain} standalone root CA`,
  );
  if (created) output.out(`${certFile}  new root CA, expires ${ca.notAfter.toISOString()}`);
  for (const identity of identities) {
    const [, namespace = '', service = ''] = IDENTITY.exec(identity) ?? [];
    const keys = await generateKeyPair();
    const issued = await issueLeafCertificate({
      issuer: ca,
      publicKeyPem: keys.publicKeyPem,
      spiffeId: spiffeId(options.trustDomain, namespace, service),
      lifetimeMs: lifetimeHours * 3_600_000,
    });
    const base = join(options.out, `${namespace}-${service}`);
    await writeFile(`${base}.pem`, issued.chainPem);
    await writeFile(`${base}-key.pem`, keys.privateKeyPem, { mode: PRIVATE_FILE_MODE });
    output.out(`${base}.pem  ${issued.spiffeId}  expires ${issued.notAfter.toISOString()}`);
  }
  return 0;
}
