import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IncrementalCompiler, loadMeshConfig, type ProxySnapshot } from '@weft/mesh-config';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SnapshotCache, type Watcher } from './snapshot-cache.ts';

const BASE_MS = 1_000;
const MAX_MS = 3_000;
const resources = loadMeshConfig([
  {
    file: 'mesh.yaml',
    text: readFileSync(join(import.meta.dirname, '../../../../examples/mesh.yaml'), 'utf8'),
  },
]).resources.map((r) => r.resource);
const workloads = [
  { id: 'frontend-1', namespace: 'shop', service: 'frontend', address: '127.0.0.1', port: 7001 },
  {
    id: 'catalog-1',
    namespace: 'shop',
    service: 'catalog',
    version: 'v1',
    address: '127.0.0.1',
    port: 7002,
  },
];

/** Real snapshots from the example mesh; each revoked serial changes every proxy's snapshot. */
function snapshotsOf(
  compiler: IncrementalCompiler,
  version: string,
  revokedSerials: string[] = [],
): ReadonlyMap<string, ProxySnapshot> {
  return compiler.compile({ resources, workloads, version, revokedSerials, trustBundle: '' })
    .snapshots;
}

class RecordingWatcher implements Watcher {
  readonly sent: string[] = [];
  closed = false;
  send(snapshot: ProxySnapshot): void {
    this.sent.push(snapshot.version);
  }
  close(): void {
    this.closed = true;
  }
}

describe('snapshot cache', () => {
  let recorded: { proxyId: string; version: string; revision: number }[];
  let cache: SnapshotCache;
  let compiler: IncrementalCompiler;

  beforeEach(() => {
    vi.useFakeTimers();
    recorded = [];
    compiler = new IncrementalCompiler();
    cache = new SnapshotCache({
      recordSent: async (proxyId, snapshot, revision) => {
        recorded.push({ proxyId, version: snapshot.version, revision });
      },
      onError: (error) => {
        throw error;
      },
      nackRetryBaseMs: BASE_MS,
      nackRetryMaxMs: MAX_MS,
    });
  });

  afterEach(() => {
    cache.close();
    vi.useRealTimers();
  });

  it('sends a new watch its snapshot at once, recorded with its revision before it goes', async () => {
    await cache.set(4, snapshotsOf(compiler, 'r4.1'));
    const watcher = new RecordingWatcher();
    cache.watch('frontend-1', watcher);
    await vi.advanceTimersByTimeAsync(0);
    expect(watcher.sent).toEqual(['r4.1']);
    expect(recorded).toEqual([{ proxyId: 'frontend-1', version: 'r4.1', revision: 4 }]);
    expect(cache.connected('frontend-1')).toBe(true);
    expect(cache.connected('catalog-1')).toBe(false);
  });

  it('never sends an equal snapshot twice, and sends one that changed', async () => {
    const watcher = new RecordingWatcher();
    cache.watch('catalog-1', watcher);
    await cache.set(1, snapshotsOf(compiler, 'r1.1'));
    // Same inputs: the incremental compiler keeps the snapshot, hash and all.
    await cache.set(1, snapshotsOf(compiler, 'r1.2'));
    await cache.set(2, snapshotsOf(compiler, 'r2.3', ['0A']));
    expect(watcher.sent).toEqual(['r1.1', 'r2.3']);
    expect(recorded.map((r) => r.revision)).toEqual([1, 2]);
  });

  it("cancels only its own watch: an old stream's cancel leaves the newer one open", async () => {
    await cache.set(1, snapshotsOf(compiler, 'r1.1'));
    const first = new RecordingWatcher();
    const cancelFirst = cache.watch('frontend-1', first);
    const second = new RecordingWatcher();
    const cancelSecond = cache.watch('frontend-1', second);
    cancelFirst();
    expect(cache.connected('frontend-1')).toBe(true);
    expect(cache.watchStreams).toBe(1);
    await cache.set(2, snapshotsOf(compiler, 'r2.2', ['0B']));
    expect(second.sent).toEqual(['r1.1', 'r2.2']);
    expect(first.sent).toEqual(['r1.1']);
    cancelSecond();
    expect(cache.connected('frontend-1')).toBe(false);
  });

  it('offers a refused snapshot again after a backoff that doubles up to its maximum', async () => {
    await cache.set(1, snapshotsOf(compiler, 'r1.1'));
    const watcher = new RecordingWatcher();
    cache.watch('catalog-1', watcher);
    await vi.advanceTimersByTimeAsync(0);
    const hash = (snapshotsOf(compiler, 'r1.1').get('catalog-1') as ProxySnapshot).hash;

    cache.refused('catalog-1', hash);
    await vi.advanceTimersByTimeAsync(BASE_MS - 1);
    expect(watcher.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(watcher.sent).toHaveLength(2);

    cache.refused('catalog-1', hash);
    await vi.advanceTimersByTimeAsync(2 * BASE_MS - 1);
    expect(watcher.sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(watcher.sent).toHaveLength(3);

    // 4 s would be next, but the backoff stops at its maximum.
    cache.refused('catalog-1', hash);
    await vi.advanceTimersByTimeAsync(MAX_MS);
    expect(watcher.sent).toHaveLength(4);
  });

  it('drops a re-offer once the proxy applies a snapshot or a newer one goes out', async () => {
    await cache.set(1, snapshotsOf(compiler, 'r1.1'));
    const watcher = new RecordingWatcher();
    cache.watch('catalog-1', watcher);
    await vi.advanceTimersByTimeAsync(0);
    const first = (snapshotsOf(compiler, 'r1.1').get('catalog-1') as ProxySnapshot).hash;

    cache.refused('catalog-1', first);
    cache.accepted('catalog-1');
    await vi.advanceTimersByTimeAsync(MAX_MS);
    expect(watcher.sent).toEqual(['r1.1']);

    cache.refused('catalog-1', first);
    await cache.set(2, snapshotsOf(compiler, 'r2.2', ['0C']));
    await vi.advanceTimersByTimeAsync(MAX_MS);
    expect(watcher.sent).toEqual(['r1.1', 'r2.2']);

    // A refusal of anything but the snapshot sent last is moot.
    cache.refused('catalog-1', first);
    await vi.advanceTimersByTimeAsync(MAX_MS);
    expect(watcher.sent).toEqual(['r1.1', 'r2.2']);
  });

  it('closes the watch of a proxy that left, and sends it nothing more', async () => {
    await cache.set(1, snapshotsOf(compiler, 'r1.1'));
    const watcher = new RecordingWatcher();
    cache.watch('frontend-1', watcher);
    await vi.advanceTimersByTimeAsync(0);
    cache.forget('frontend-1');
    expect(watcher.closed).toBe(true);
    expect(cache.connected('frontend-1')).toBe(false);
    await cache.set(2, snapshotsOf(compiler, 'r2.2', ['0D']));
    expect(watcher.sent).toEqual(['r1.1']);
  });
});
