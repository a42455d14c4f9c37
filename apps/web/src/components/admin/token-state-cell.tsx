// A token's state in a table: a coloured badge and when it stops or stopped.

import { describeTokenState, STATE_BADGE, type TokenLifetime, tokenState } from './token-state';

export function TokenStateCell({ token, now }: { token: TokenLifetime; now: number }) {
  const state = tokenState(token, now);
  return (
    <td>
      <span className={`badge ${STATE_BADGE[state]}`} data-testid="token-state">
        {state}
      </span>{' '}
      <span className="muted">{describeTokenState(token, now)}</span>
    </td>
  );
}
