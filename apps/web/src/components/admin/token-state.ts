// Whether a token still works, and how to say when it stops or stopped: the same words for API
// tokens and join tokens.

import { formatDuration } from '../format/numbers';

export type TokenState = 'active' | 'expired' | 'revoked' | 'used-up';

export interface TokenLifetime {
  readonly expiresAt: Date | null;
  readonly revokedAt?: Date | null;
  readonly uses?: number;
  readonly maxUses?: number | null;
}

export function tokenState(token: TokenLifetime, now: number): TokenState {
  if (token.revokedAt != null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now) return 'expired';
  if (token.maxUses != null && (token.uses ?? 0) >= token.maxUses) return 'used-up';
  return 'active';
}

/** "expires in 23 h 59 min", "expired 3 min ago", "revoked 1 d ago", "used up". */
export function describeTokenState(token: TokenLifetime, now: number): string {
  const state = tokenState(token, now);
  if (state === 'revoked' && token.revokedAt != null)
    return `revoked ${formatDuration(now - token.revokedAt.getTime())} ago`;
  if (state === 'used-up') return 'used up';
  if (token.expiresAt === null) return 'never expires';
  const left = token.expiresAt.getTime() - now;
  return state === 'expired'
    ? `expired ${formatDuration(-left)} ago`
    : `expires in ${formatDuration(left)}`;
}

/** The badge class the console's stylesheet colours by. */
export const STATE_BADGE: Record<TokenState, string> = {
  active: 'good',
  expired: 'EXPIRED',
  revoked: 'REVOKED',
  'used-up': 'idle',
};
