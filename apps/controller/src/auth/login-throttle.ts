// Slows password guessing without letting anyone lock another user out. Three counters, each an
// exponential backoff (failure-backoff.ts):
// - username + address: five free failures, then closed for 1 min, 2, 4 … up to an hour. A
//   success clears it. This is the one a guesser meets first; it cannot be aimed at someone else,
//   because the victim's own address has its own counter.
// - address, across usernames: 20 free failures, then the same backoff. Stops one address
//   spraying passwords over many usernames; a success does not clear it.
// - username, across addresses: 10 free failures, then closed for 10 s doubling up to 5 min
//   — loose, and a backoff rather than a lock, because an attacker can aim it: rotating addresses
//   no longer buys unlimited guesses at one user. Addresses that signed in as that user in the
//   last 30 days skip it, so the user's usual browser is never held back by someone else's guesses.
// A hard lock per username (what most products do) was refused: it hands everyone a way to lock
// any user out. The counters live in memory: a restart forgets them, and each replica counts alone.

import { isIPv6 } from 'node:net';
import { type BackoffPolicy, DEFAULT_MAX_KEYS, FailureBackoff } from './failure-backoff.ts';

const DAY_MS = 86_400_000;
export const PAIR_POLICY: BackoffPolicy = {
  freeFailures: 5,
  firstDelayMs: 60_000,
  maxDelayMs: 3_600_000,
  forgetAfterMs: DAY_MS,
};
export const ADDRESS_POLICY: BackoffPolicy = { ...PAIR_POLICY, freeFailures: 20 };
export const USERNAME_POLICY: BackoffPolicy = {
  freeFailures: 10,
  firstDelayMs: 10_000,
  maxDelayMs: 300_000,
  forgetAfterMs: DAY_MS,
};
/** How long an address that signed in as a user stays exempt from that user's shared counter. */
export const KNOWN_ADDRESS_MS = 30 * DAY_MS;

/** A sign-in attempt that was let through; settle it once its outcome is known. */
export interface LoginAttempt {
  settle(succeeded: boolean): void;
}

export class LoginThrottle {
  private readonly pairs: FailureBackoff;
  private readonly addresses: FailureBackoff;
  private readonly usernames: FailureBackoff;
  /** username + address → when it last signed in successfully (oldest first). */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys: number = DEFAULT_MAX_KEYS,
  ) {
    this.pairs = new FailureBackoff(PAIR_POLICY, now, maxKeys);
    this.addresses = new FailureBackoff(ADDRESS_POLICY, now, maxKeys);
    this.usernames = new FailureBackoff(USERNAME_POLICY, now, maxKeys);
  }

  /** Starts an attempt, or refuses it (undefined) while any of its counters is closed. */
  begin(username: string, address: string): LoginAttempt | undefined {
    const source = addressKey(address);
    const pair = `${username}\n${source}`;
    const counters: [FailureBackoff, string][] = [
      [this.pairs, pair],
      [this.addresses, source],
    ];
    if (!this.isKnown(pair)) counters.push([this.usernames, username]);
    if (!counters.every(([counter, key]) => counter.open(key))) return undefined;
    for (const [counter, key] of counters) counter.start(key);
    return {
      settle: (succeeded) => {
        for (const [counter, key] of counters) counter.finish(key, !succeeded);
        if (!succeeded) return;
        this.pairs.forget(pair);
        this.remember(pair);
      },
    };
  }

  /** How many keys the counters remember. */
  get size(): number {
    return this.pairs.size + this.addresses.size + this.usernames.size;
  }

  private isKnown(pair: string): boolean {
    const at = this.known.get(pair);
    return at !== undefined && this.now() - at <= KNOWN_ADDRESS_MS;
  }

  private remember(pair: string): void {
    this.known.delete(pair);
    this.known.set(pair, this.now());
    for (const key of this.known.keys()) {
      if (this.known.size <= this.maxKeys) break;
      this.known.delete(key);
    }
  }
}

/**
 * The part of an address one client controls: an IPv4 address (also when IPv4-mapped), or the
 * /64 of an IPv6 one, as a single host usually gets a whole /64 to pick addresses from.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
