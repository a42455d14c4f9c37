// API tokens for the CLI and automation: made (the secret is returned once) and revoked, each
// with its audit row in the same transaction. Who may ask for which is the router's check.

import { hashSecret, newSecret } from '../auth/secrets.ts';
import type { ApiTokenInfo, Principal, Role, UserRepository } from '../repositories/users.ts';

export class ApiTokenOperations {
  constructor(private readonly users: UserRepository) {}

  async create(
    principal: Principal,
    request: { name: string; role: Role; ttlMs: number },
  ): Promise<{ id: string; expiresAt: Date; name: string; role: Role; token: string }> {
    const { name, role } = request;
    const token = newSecret('weft_api');
    const created = await this.users.createApiToken(principal.id, name, hashSecret(token), role, {
      expiresAt: new Date(Date.now() + request.ttlMs),
      audit: (id, expiresAt) => ({
        actor: principal.username,
        action: 'apiTokens.create',
        target: `user/${principal.username}`,
        outcome: 'OK',
        detail: { id, name, role, expiresAt: expiresAt.toISOString() },
      }),
    });
    return { ...created, name, role, token };
  }

  /** Works at once. An admin revokes anyone's; anyone else only their own. */
  revoke(id: string, principal: Principal): Promise<ApiTokenInfo> {
    return this.users.revokeApiToken(
      id,
      principal.role === 'ADMIN' ? undefined : principal.username,
      (token) => ({
        actor: principal.username,
        action: 'apiTokens.revoke',
        target: `user/${token.username}`,
        outcome: 'OK',
        detail: { id: token.id, name: token.name },
      }),
    );
  }
}
