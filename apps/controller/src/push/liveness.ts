// Which proxies are live, so that their endpoints go to the others: those heard from within
// PROXY_EXPIRY_MS. The one rule: the snapshot builder, the registry sweep and the console's
// service catalog all ask it. Silence while the controller itself was down is not held against them:
// right after a start, the fleet that was live when the controller last heard from it stays
// live while its proxies find their way back, or a long outage would empty every proxy's
// endpoints the moment the controller returned.

/** A proxy not heard from for this long is dropped from everyone's endpoints. */
export const PROXY_EXPIRY_MS = 30_000;
/**
 * How long after a start the previous fleet is presumed live: proxies retry with jittered
 * backoff of up to 30 s (RECONNECT_MAX_MS in the proxy), and report at once when they are back.
 */
export const RESTART_GRACE_MS = 45_000;

export class ProxyLiveness {
  /**
   * @param startedAt when this controller started (epoch ms)
   * @param lastHeardBeforeStart the newest heartbeat in the registry at start, if any
   */
  constructor(
    private readonly startedAt: number,
    private readonly lastHeardBeforeStart: number | undefined,
  ) {}

  /** Proxies heard from at or after this time are live. */
  liveSince(now: number): Date {
    const usual = now - PROXY_EXPIRY_MS;
    if (this.lastHeardBeforeStart === undefined || now >= this.startedAt + RESTART_GRACE_MS)
      return new Date(usual);
    return new Date(Math.min(usual, this.lastHeardBeforeStart - PROXY_EXPIRY_MS));
  }

  isLive(lastHeartbeatAt: Date, now: number): boolean {
    return lastHeartbeatAt.getTime() >= this.liveSince(now).getTime();
  }
}
