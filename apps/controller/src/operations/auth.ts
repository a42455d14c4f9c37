// Sign-in and sign-out: a password checked (throttled, and timed alike for unknown users)
// becomes a session or an API token, written with its audit row in one transaction; a refusal
// is audited on its own.

import { LoginThrottle } from '../auth/login-throttle.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { hashSecret, newSecret } from '../auth/secrets.ts';
import { SESSION_LIFETIME_MS } from '../env.ts';
import { TooManyAttemptsError, UnauthenticatedError } from '../errors.ts';
import type { AuditRepository } from '../repositories/audit.ts';
import type { User, UserRepository } from '../repositories/users.ts';

export interface LoginRequest {
  readonly username: string;
  readonly password: string;
  /** "token" returns an API token for the CLI instead of a session. */
  readonly mode: 'session' | 'token';
  readonly tokenName: string;
  readonly clientAddress: string;
}

export type LoginOutcome =
  | { readonly user: User; readonly token: string; readonly session?: undefined }
  | { readonly user: User; readonly token: null; readonly session: string };

export class AuthOperations {
  private readonly throttle = new LoginThrottle();
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly users: UserRepository,
    private readonly audit: AuditRepository,
  ) {}

  async login(request: LoginRequest): Promise<LoginOutcome> {
    const { username, clientAddress } = request;
    const attempt = this.throttle.begin(username, clientAddress);
    if (attempt === undefined)
      throw new TooManyAttemptsError(
        'too many failed sign-ins; wait a minute or more before trying again',
      );
    let found: Awaited<ReturnType<UserRepository['credentials']>>;
    let valid = false;
    try {
      found = await this.users.credentials(username);
      // Unknown users cost a hash too, so timing does not tell which usernames exist.
      valid =
        (await verifyPassword(request.password, found?.passwordHash ?? (await this.decoyHash()))) &&
        found !== undefined;
    } finally {
      attempt.settle(valid);
    }
    if (!valid || found === undefined) {
      await this.audit.record({
        actor: username,
        action: 'auth.login',
        target: `user/${username}`,
        outcome: 'DENIED',
        detail: { from: clientAddress },
      });
      throw new UnauthenticatedError('wrong username or password');
    }
    const { user } = found;
    if (request.mode === 'token') {
      const token = newSecret('weft_api');
      await this.users.createApiToken(user.id, request.tokenName, hashSecret(token), user.role, {
        audit: () => ({
          actor: user.username,
          action: 'auth.token.create',
          target: `user/${user.username}`,
          outcome: 'OK',
          detail: { name: request.tokenName },
        }),
      });
      return { user, token };
    }
    const session = newSecret('weft_session');
    await this.users.createSession(
      user.id,
      hashSecret(session),
      new Date(Date.now() + SESSION_LIFETIME_MS),
    );
    return { user, token: null, session };
  }

  async logout(sessionSecret: string | undefined): Promise<void> {
    if (sessionSecret !== undefined) await this.users.deleteSession(hashSecret(sessionSecret));
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= hashPassword(newSecret('decoy'));
    return this.decoy;
  }
}
