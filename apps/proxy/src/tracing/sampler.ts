// Head sampling for traces this proxy starts: a share of trace ids, decided from the id itself
// (as OpenTelemetry's TraceIdRatioBased does), so no extra random draw per request.

import type { NewTraceSampler } from '../http/headers.ts';

/** The last 8 hex digits of a trace id, read as an unsigned 32-bit number. */
const SAMPLED_DIGITS = 8;
const RANGE = 2 ** 32;

export function ratioSampler(ratio: number): NewTraceSampler {
  if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`ratio must be in [0, 1], got ${ratio}`);
  if (ratio === 0) return () => false;
  if (ratio === 1) return () => true;
  const bound = ratio * RANGE;
  return (traceId) => Number.parseInt(traceId.slice(traceId.length - SAMPLED_DIGITS), 16) < bound;
}
