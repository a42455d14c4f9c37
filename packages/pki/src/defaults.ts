// Issuance defaults, each with its unit, so the controller and tests name the same numbers.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const DEFAULT_ROOT_LIFETIME_MS = 365 * DAY_MS;
export const DEFAULT_INTERMEDIATE_LIFETIME_MS = 90 * DAY_MS;
export const DEFAULT_LEAF_LIFETIME_MS = 24 * HOUR_MS;

/** Certificates start this far in the past so a peer whose clock runs behind still accepts them. */
export const NOT_BEFORE_BACKDATE_MS = 60_000;

/** 128 random bits: unguessable serials, and unique without a counter shared by CA replicas. */
export const SERIAL_BYTES = 16;
