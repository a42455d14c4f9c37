// Operators and their roles: created, given another role, disabled and enabled by admins (or the
// first admin from the controller's environment), each change written with its audit row in one
// transaction.

import { hashPassword } from '../auth/passwords.ts';
import type { AuditRecord, AuditRepository } from '../repositories/audit.ts';
import {
  LastAdminError,
  type Role,
  type User,
  type UserAccount,
  type UserRepository,
} from '../repositories/users.ts';

export class UserOperations {
  constructor(
    private readonly users: UserRepository,
    private readonly audit: AuditRepository,
  ) {}

  /** `from` says where the request came from when no operator made it ("environment"). */
  async create(
    input: { username: string; password: string; role: Role },
    actor: string,
    from?: string,
  ): Promise<User> {
    return this.users.create(
      input.username,
      await hashPassword(input.password),
      input.role,
      (user) => ({
        actor,
        action: 'users.create',
        target: `user/${user.username}`,
        outcome: 'OK',
        detail: from === undefined ? { role: user.role } : { role: user.role, from },
      }),
    );
  }

  /**
   * Disabling ends their sessions and revokes their tokens at once; the last enabled admin
   * stays. Enabling lets them sign in again; what disabling ended stays ended.
   */
  setDisabled(username: string, disabled: boolean, actor: string): Promise<UserAccount> {
    const audit = {
      actor,
      action: disabled ? 'users.disable' : 'users.enable',
      target: `user/${username}`,
    };
    return this.auditRefusal(audit, this.users.setDisabled(username, disabled, audit));
  }

  /**
   * Their sessions and tokens act with the new role from their next request (a token never above
   * it); the last enabled admin stays an admin.
   */
  setRole(username: string, role: Role, actor: string): Promise<UserAccount> {
    const audit = { actor, action: 'users.setRole', target: `user/${username}` };
    return this.auditRefusal(audit, this.users.setRole(username, role, audit));
  }

  /** A change refused to keep the last admin rolled back with its audit row: record the refusal. */
  private async auditRefusal<T>(
    audit: Omit<AuditRecord, 'outcome' | 'detail'>,
    change: Promise<T>,
  ): Promise<T> {
    try {
      return await change;
    } catch (error) {
      if (error instanceof LastAdminError)
        await this.audit.record({ ...audit, outcome: 'DENIED', detail: { reason: error.message } });
      throw error;
    }
  }
}
