// Latency as a mergeable sketch (DDSketch): any quantile within 1% relative error, and sketches
// from many proxies and windows merge into one without losing that bound, which fixed
// Prometheus buckets cannot promise.

import { DDSketch } from '@datadog/sketches-js';

export const RELATIVE_ACCURACY = 0.01;

export class LatencySketch {
  private constructor(private readonly sketch: DDSketch) {}

  static empty(): LatencySketch {
    return new LatencySketch(new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY }));
  }

  static fromBytes(bytes: Uint8Array): LatencySketch {
    return new LatencySketch(DDSketch.fromProto(bytes));
  }

  get count(): number {
    return this.sketch.count;
  }

  record(milliseconds: number): void {
    this.sketch.accept(Math.max(0, milliseconds));
  }

  /** Adds `other` into this sketch; `other` is left as it was. */
  merge(other: LatencySketch): void {
    this.sketch.merge(other.sketch);
  }

  /** The value at quantile q (0..1), in milliseconds; NaN for an empty sketch. */
  quantile(q: number): number {
    return this.sketch.count === 0 ? Number.NaN : this.sketch.getValueAtQuantile(q);
  }

  toBytes(): Uint8Array {
    return this.sketch.toProto();
  }
}
