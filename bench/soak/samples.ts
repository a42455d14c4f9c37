// The soak's measurements: every process's resident memory and open file descriptors, read
// from /proc at a fixed interval, and what they say at the end (the baseline after the warm-up
// against the end, each over a window so that one GC or one burst does not decide).

import { openFds, rssBytes } from '../../apps/controller/test/reliability/processes.ts';
import { SAMPLES_PER_EDGE } from './options.ts';

const METRICS_TIMEOUT_MS = 2_000;

export interface Sample {
  /** Seconds since the load started. */
  readonly atS: number;
  readonly rssBytes: Readonly<Record<string, number>>;
  readonly fds: Readonly<Record<string, number>>;
  /** The controller's V8 heap in use (its /metrics), to tell a leak from a growing heap limit. */
  readonly controllerHeapBytes: number | undefined;
}

export class ProcessSampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pids: () => ReadonlyMap<string, number>,
    private readonly controllerMetricsUrl: string,
    private readonly startedAt: number,
  ) {}

  async sample(): Promise<Sample> {
    const atS = Math.round((performance.now() - this.startedAt) / 100) / 10;
    const rss: Record<string, number> = {};
    const fds: Record<string, number> = {};
    for (const [name, pid] of this.pids()) {
      rss[name] = rssBytes(pid);
      fds[name] = openFds(pid);
    }
    const sample = { atS, rssBytes: rss, fds, controllerHeapBytes: await this.controllerHeap() };
    this.samples.push(sample);
    return sample;
  }

  every(intervalMs: number): void {
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  private async controllerHeap(): Promise<number | undefined> {
    try {
      const response = await fetch(this.controllerMetricsUrl, {
        signal: AbortSignal.timeout(METRICS_TIMEOUT_MS),
      });
      const line = /^nodejs_heap_size_used_bytes (\d+)/m.exec(await response.text());
      return line?.[1] === undefined ? undefined : Number(line[1]);
    } catch {
      return undefined;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Each edge (the baseline, the end) spans this share of the samples after the warm-up. */
const EDGE_SHARE = 0.2;

/**
 * A measure at the start of the judged period (the baseline, right after the warm-up) and at its
 * end, each over an edge window (a fifth of the samples, at least SAMPLES_PER_EDGE). Memory and
 * sockets move in waves (V8 grows its heap and gives it back minutes later; a traffic burst opens
 * connections that close a minute later), so an edge is judged by its peak for memory and by
 * its floor for descriptors: a leak raises both, a wave does neither.
 */
export interface Trend {
  readonly baselinePeak: number;
  readonly endPeak: number;
  readonly baselineFloor: number;
  readonly endFloor: number;
  readonly max: number;
}

export function trend(
  samples: readonly Sample[],
  pick: (sample: Sample) => number | undefined,
  fromS: number,
): Trend | undefined {
  const values = samples
    .filter((s) => s.atS >= fromS)
    .map(pick)
    .filter((v): v is number => v !== undefined && v > 0);
  const edge = Math.max(SAMPLES_PER_EDGE, Math.floor(values.length * EDGE_SHARE));
  if (values.length < 2 * edge) return undefined;
  const first = values.slice(0, edge);
  const last = values.slice(-edge);
  return {
    baselinePeak: Math.max(...first),
    endPeak: Math.max(...last),
    baselineFloor: Math.min(...first),
    endFloor: Math.min(...last),
    max: Math.max(...values),
  };
}
