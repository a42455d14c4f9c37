// bench:ca — workload certificates per second on one core, for the controller's CA, beside its
// peers in the same run: the bare ECDSA P-256 signature (the floor any issuing path pays) and
// node-forge issuing RSA-2048 certificates (the library the stack started with).
// Usage: npm run bench:ca [-- --count 1000]

import { generateKeyPairSync, sign } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  createCsr,
  createIntermediateCa,
  createRootCa,
  generateKeyPair,
  issueLeafCertificate,
} from '@weft/pki';
import forge from 'node-forge';

const TARGET_PER_SECOND = 2_000;
/** RSA issuance is two orders slower; fewer samples give the same precision. */
const FORGE_COUNT = 40;
const SPIFFE_ID = 'spiffe://weft.local/ns/shop/sa/catalog';

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' } } });
const count = Number(values.count);

async function rate(label: string, n: number, issueOne: (i: number) => unknown | Promise<unknown>) {
  const started = performance.now();
  for (let i = 0; i < n; i++) await issueOne(i);
  const seconds = (performance.now() - started) / 1_000;
  return { label, n, perSecond: n / seconds };
}

process.stdout.write(`[bench:ca] preparing ${count} CSRs (keys made as proxies would)…\n`);
const root = await createRootCa({ commonName: 'bench root' });
const intermediate = await createIntermediateCa({ issuer: root, commonName: 'bench intermediate' });
const csrs: string[] = [];
for (let i = 0; i < count; i++) {
  const keys = await generateKeyPair();
  csrs.push(
    await createCsr({ privateKeyPem: keys.privateKeyPem, publicKeyPem: keys.publicKeyPem }),
  );
}

const results = [];
results.push(
  await rate('weft CA: @weft/pki from CSR (verify CSR, build, sign)', count, (i) =>
    issueLeafCertificate({ issuer: intermediate, csrPem: csrs[i] ?? '', spiffeId: SPIFFE_ID }),
  ),
);

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const tbs = Buffer.alloc(420, 7);
results.push(
  await rate('floor: one ECDSA P-256 signature (node:crypto)', count * 5, () =>
    sign('sha256', tbs, privateKey),
  ),
);

const forgeKeys = forge.pki.rsa.generateKeyPair(2048);
results.push(
  await rate('peer: node-forge RSA-2048 certificate', FORGE_COUNT, (i) => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = forgeKeys.publicKey;
    cert.serialNumber = (i + 1).toString(16).padStart(2, '0');
    cert.validity.notBefore = new Date();
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([]);
    cert.setIssuer([{ name: 'commonName', value: 'bench intermediate' }]);
    cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 6, value: SPIFFE_ID }] }]);
    cert.sign(forgeKeys.privateKey, forge.md.sha256.create());
  }),
);

const weft = results[0]?.perSecond ?? 0;
process.stdout.write(
  '\npath                                                     certs/s   vs weft\n',
);
for (const r of results) {
  process.stdout.write(
    `${r.label.padEnd(56)} ${r.perSecond.toFixed(0).padStart(8)}   ${(r.perSecond / weft).toFixed(2)}x  (n=${r.n})\n`,
  );
}
const verdict = weft >= TARGET_PER_SECOND ? 'PASS' : 'FAIL';
process.stdout.write(
  `\ntarget: >= ${TARGET_PER_SECOND} certificates/s on one core: weft ${weft.toFixed(0)}/s — ${verdict}\n`,
);
