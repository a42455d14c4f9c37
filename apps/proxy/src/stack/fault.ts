// Fault injection: delay or fail a share of requests on purpose, to test how callers cope.

import type { SnapshotRouteEntry } from '@weft/mesh-config';
import { faultAbort } from '../errors.ts';
import { failRequest, type Layer } from './dispatch.ts';

export function createFaultLayer(
  fault: NonNullable<SnapshotRouteEntry['fault']>,
  random: () => number = Math.random,
): Layer {
  const chance = (percent: number) => random() * 100 < percent;
  return (next) => (request, handler) => {
    if (fault.abort !== undefined && chance(fault.abort.percent)) {
      failRequest(handler, faultAbort(fault.abort.httpStatus));
      return;
    }
    if (fault.delay !== undefined && chance(fault.delay.percent)) {
      setTimeout(() => next(request, handler), fault.delay.delayMs);
      return;
    }
    next(request, handler);
  };
}
