// What the load generator (load.ts) hands back: its request ids and, per window request, what
// it saw. Shared by the generator and the comparison.

/** Request ids: x-request-id w-<n> in the warm-up, m-<n> in the measured window. */
export const WARMUP_ID_PREFIX = 'w-';
export const WINDOW_ID_PREFIX = 'm-';
/** What the services answer with: which version served the request. */
export const VERSION_HEADER = 'x-bench-version';

/** The window's requests as the generator saw them; index n is request id m-<n>. */
export interface WindowRecords {
  /** Epoch ms, a rollup-bucket boundary. */
  readonly start: number;
  readonly end: number;
  /** Just before the request went to Node's HTTP client to its response's end; null if failed. */
  readonly clientMs: (number | null)[];
  /** The version that answered (x-bench-version), "" when none did. */
  readonly version: string[];
  /** HTTP status, 0 for a socket error or timeout. */
  readonly status: number[];
  /** How late each was sent after it fell due: the generator's own noise. */
  readonly lagMs: number[];
}

/** The generator's warm-up, to check that none of it is counted in the window. */
export interface WarmupSummary {
  readonly sent: number;
  readonly failed: number;
  readonly byVersion: Record<string, number>;
}
