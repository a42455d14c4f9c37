// Chooses the backend cluster of a route entry by weight: this is where the canary split
// happens. Retries below it stay on the cluster it chose.

import type { SnapshotRouteEntry } from '@weft/mesh-config';
import { WeightedPicker } from '../outbound/logical/weighted-pick.ts';
import type { Layer } from './dispatch.ts';

export function createBackendPickLayer(entry: SnapshotRouteEntry): Layer {
  const picker = new WeightedPicker(
    entry.backends.filter((b) => b.weight > 0).map((b) => ({ value: b.cluster, weight: b.weight })),
  );
  return (next) => (request, handler) => {
    request.context.cluster = picker.pick();
    next(request, handler);
  };
}
