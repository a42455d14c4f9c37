// Join tokens for proxies: an admin makes one for a service (the secret is returned once) or
// ends one early, each written with its audit row in one transaction.

import { hashSecret, newSecret } from '../auth/secrets.ts';
import type { JoinTokenInfo, JoinTokenRepository } from '../repositories/join-tokens.ts';

export class JoinTokenOperations {
  constructor(private readonly tokens: JoinTokenRepository) {}

  async create(
    request: {
      service: string;
      namespace: string;
      expiresInHours: number;
      maxUses?: number | undefined;
    },
    actor: string,
  ): Promise<{ id: string; token: string; expiresAt: Date }> {
    const token = newSecret('weft_join');
    const expiresAt = new Date(Date.now() + request.expiresInHours * 3_600_000);
    const maxUses = request.maxUses ?? null;
    const id = await this.tokens.create(
      {
        tokenHash: hashSecret(token),
        service: request.service,
        namespace: request.namespace,
        expiresAt,
        maxUses,
        createdBy: actor,
      },
      (tokenId) => ({
        actor,
        action: 'tokens.create',
        target: `service/${request.namespace}/${request.service}`,
        outcome: 'OK',
        detail: { id: tokenId, expiresAt: expiresAt.toISOString(), maxUses },
      }),
    );
    return { id, token, expiresAt };
  }

  /** No proxy can join with it from now on; proxies that joined with it keep their identity. */
  expire(id: string, actor: string): Promise<JoinTokenInfo> {
    return this.tokens.expire(id, new Date(), (token) => ({
      actor,
      action: 'tokens.expire',
      target: `service/${token.namespace}/${token.service}`,
      outcome: 'OK',
      detail: { id: token.id, expiresAt: token.expiresAt.toISOString() },
    }));
  }
}
