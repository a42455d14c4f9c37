// Follows the trust bundle the controller sends in snapshots: during a root rotation the new
// root arrives before anything is signed by it, and is trusted for new handshakes at once.

import type { Logger } from 'pino';
import type { ProxyConfig } from '../config/proxy-config.ts';
import { buildIdentity } from '../tls/identity.ts';
import type { IdentityHolder } from '../tls/identity-holder.ts';
import { writeTrustBundle } from './certificate-files.ts';

export function followTrustBundle(config: ProxyConfig, identity: IdentityHolder, log: Logger) {
  return async (trustBundle: string): Promise<void> => {
    // An empty bundle (standalone snapshots) means: keep the one on disk.
    if (trustBundle === '' || trustBundle === identity.current().material.trustBundlePem) return;
    try {
      identity.replace(
        buildIdentity({ ...identity.current().material, trustBundlePem: trustBundle }),
      );
      await writeTrustBundle(config.tls, trustBundle);
      log.info('trust bundle updated from the controller');
    } catch (error) {
      log.error(
        { err: error },
        'the trust bundle from the controller cannot be used; keeping the one in force',
      );
    }
  };
}
