// Local rate limit of a cluster: a token bucket refilled continuously at the configured rate;
// a request that finds it empty fails fast with 429 instead of queueing.

import { rateLimited } from '../errors.ts';
import { channels } from '../telemetry/channels.ts';
import { failRequest, type Layer } from './dispatch.ts';

export interface RateLimitParams {
  readonly cluster: string;
  readonly requestsPerSecond: number;
  readonly burst: number;
  /** Tags the overflow events. */
  readonly proxy: object;
  readonly now?: () => number;
}

export function createRateLimitLayer(params: RateLimitParams): Layer {
  const bucket = new TokenBucket(params.requestsPerSecond, params.burst, params.now);
  return (next) => (request, handler) => {
    if (bucket.tryTake()) {
      next(request, handler);
      return;
    }
    channels.overflow.publish({
      proxy: params.proxy,
      cluster: params.cluster,
      limit: 'rate-limit',
    });
    failRequest(handler, rateLimited(params.cluster));
  };
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.updatedAt) * this.perSecond) / 1_000,
    );
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
