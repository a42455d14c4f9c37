// TLS to the controller: verified against the mesh trust bundle and the controller's own SPIFFE
// ID (a workload certificate, however valid, cannot pose as the controller).

import type { PeerCertificate } from 'node:tls';
import { Agent } from 'undici';

const CONTROLLER_PATH = '/ns/weft-system/sa/controller';

export function checkControllerIdentity(
  _host: string,
  certificate: PeerCertificate,
): Error | undefined {
  const names = (certificate.subjectaltname ?? '').split(/,\s*/);
  const ok = names.some(
    (name) => name.startsWith('URI:spiffe://') && name.endsWith(CONTROLLER_PATH),
  );
  return ok
    ? undefined
    : new Error(
        `the server is not the Weft controller (${certificate.subjectaltname ?? 'no SAN'})`,
      );
}

/** An agent for one conversation with the controller, with this proxy's certificate if it has one. */
export function controllerAgent(tls: { ca: string; cert?: string; key?: string }): Agent {
  return new Agent({
    connect: {
      ca: tls.ca,
      ...(tls.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls.key === undefined ? {} : { key: tls.key }),
      checkServerIdentity: checkControllerIdentity,
    },
  });
}
