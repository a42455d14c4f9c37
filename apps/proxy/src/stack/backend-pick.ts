// Chooses the backend cluster of a route entry by weight: this is where the canary split
// happens. Retries below it stay on the cluster it chose. Smooth weighted round robin (nginx's):
// exact proportions over every window of sum(weights) picks, interleaved rather than bunched,
// and deterministic, so the observed split of a canary matches the requested one without
// sampling noise.

import type { SnapshotRouteEntry } from '@weft/mesh-config';
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

export class WeightedPicker<T> {
  private readonly current: number[];
  private readonly total: number;

  constructor(private readonly choices: readonly { readonly value: T; readonly weight: number }[]) {
    this.total = choices.reduce((sum, c) => sum + c.weight, 0);
    if (choices.length === 0 || this.total <= 0)
      throw new RangeError('weights must add up to more than 0');
    this.current = choices.map(() => 0);
  }

  pick(): T {
    let best = 0;
    for (let i = 0; i < this.choices.length; i++) {
      this.current[i] = (this.current[i] ?? 0) + (this.choices[i]?.weight ?? 0);
      if ((this.current[i] ?? 0) > (this.current[best] ?? 0)) best = i;
    }
    this.current[best] = (this.current[best] ?? 0) - this.total;
    return (this.choices[best] as { value: T }).value;
  }
}
