// The controller's own metrics for Prometheus (/metrics on the operator API port): process
// metrics and weft_controller_* counters fed by the controller's diagnostics channels, and
// gauges read at scrape time. One Registry per controller, so several in one process (tests)
// never share a count. Nothing here is secret: no identities, serials, tokens or addresses.

import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type Registry as PromRegistry,
  Registry,
} from 'prom-client';
import type { MeshAuthority } from '../ca/mesh-authority.ts';
import type { SnapshotCache } from '../push/snapshot-cache.ts';
import type { ProxyRepository, SyncState } from '../repositories/proxies.ts';
import type { RevisionRepository } from '../repositories/revisions.ts';
import type { TelemetryRepository } from '../repositories/telemetry.ts';
import { controllerChannels } from './channels.ts';

const PREFIX = 'weft_controller_';
const SYNC_STATES: readonly SyncState[] = ['SYNCED', 'STALE', 'NACKED', 'DISCONNECTED'];
/** Operator API calls are database reads and writes: milliseconds to a few seconds. */
const API_DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsSources {
  readonly snapshots: SnapshotCache;
  readonly telemetry: TelemetryRepository;
  readonly authority: MeshAuthority;
  readonly proxies: ProxyRepository;
  readonly revisions: RevisionRepository;
}

export class ControllerMetrics {
  readonly registry: PromRegistry = new Registry();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly apiRequests: Counter<'procedure' | 'outcome'>;
  private readonly apiDuration: Histogram<'procedure'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    new Gauge({
      name: `${PREFIX}proxies`,
      help: 'Registered proxies by the sync state of their configuration.',
      labelNames: ['sync_state'],
      registers,
      async collect() {
        const counts = await sources.proxies.countBySyncState();
        for (const state of SYNC_STATES) this.set({ sync_state: state }, counts[state] ?? 0);
      },
    });
    new Gauge({
      name: `${PREFIX}watch_streams`,
      help: 'Proxies with a configuration watch stream open now.',
      registers,
      collect() {
        this.set(sources.snapshots.watchStreams);
      },
    });
    new Gauge({
      name: `${PREFIX}config_revision`,
      help: 'Id of the configuration revision in force (0 before the first).',
      registers,
      async collect() {
        this.set(await sources.revisions.latestId());
      },
    });
    new Gauge({
      name: `${PREFIX}ca_seconds_until_expiry`,
      help: 'Seconds until the signing root or intermediate CA certificate expires.',
      labelNames: ['kind'],
      registers,
      collect() {
        const expiry = sources.authority.signingExpiry();
        const now = Date.now();
        this.set({ kind: 'root' }, (expiry.root.getTime() - now) / 1_000);
        this.set({ kind: 'intermediate' }, (expiry.intermediate.getTime() - now) / 1_000);
      },
    });

    const published = new Counter({
      name: `${PREFIX}snapshots_published_total`,
      help: 'Snapshot sets compiled from the configuration and registry and published.',
      registers,
    });
    const compiledSnapshots = new Counter({
      name: `${PREFIX}snapshots_compiled_total`,
      help: 'Proxy snapshots compiled: only those whose inputs changed, and new proxies.',
      registers,
    });
    const sent = new Counter({
      name: `${PREFIX}snapshots_sent_total`,
      help: 'Changed snapshots sent to a proxy on its watch stream.',
      registers,
    });
    const answers = new Counter({
      name: `${PREFIX}snapshot_answers_total`,
      help: 'Snapshot answers from proxies: ack (applied) or nack (refused).',
      labelNames: ['answer'],
      registers,
    });
    const batches = new Counter({
      name: `${PREFIX}telemetry_batches_total`,
      help: 'Telemetry batches received: merged, or duplicate (a re-send counted once).',
      labelNames: ['result'],
      registers,
    });
    const compactions = new Counter({
      name: `${PREFIX}telemetry_compactions_total`,
      help: 'Telemetry rollup compaction runs, by result.',
      labelNames: ['result'],
      registers,
    });
    const compacted = new Counter({
      name: `${PREFIX}telemetry_rollups_compacted_total`,
      help: 'Rollup rows moved to a coarser tier or dropped past the last one.',
      labelNames: ['action'],
      registers,
    });
    const issued = new Counter({
      name: `${PREFIX}certificates_issued_total`,
      help: 'Certificates the CA issued, by kind (workload, controller, intermediate, root).',
      labelNames: ['kind'],
      registers,
    });
    this.apiRequests = new Counter({
      name: `${PREFIX}api_requests_total`,
      help: 'Operator API procedure calls by procedure and outcome (ok or the tRPC error code).',
      labelNames: ['procedure', 'outcome'],
      registers,
    });
    this.apiDuration = new Histogram({
      name: `${PREFIX}api_request_duration_seconds`,
      help: 'Time to answer an operator API procedure call.',
      labelNames: ['procedure'],
      buckets: API_DURATION_BUCKETS_SECONDS,
      registers,
    });

    // Series that exist from the start, so rate() and absent() work before the first event.
    for (const answer of ['ack', 'nack']) answers.inc({ answer }, 0);
    for (const result of ['merged', 'duplicate']) batches.inc({ result }, 0);
    for (const result of ['ok', 'failed']) compactions.inc({ result }, 0);
    for (const action of ['moved', 'dropped']) compacted.inc({ action }, 0);
    for (const kind of ['workload', 'controller', 'intermediate', 'root']) issued.inc({ kind }, 0);

    const { snapshots, telemetry, authority } = sources;
    this.unsubscribes.push(
      controllerChannels.snapshotsPublished.subscribe(snapshots, (e) => {
        published.inc();
        compiledSnapshots.inc(e.compiled);
      }),
      controllerChannels.snapshotSent.subscribe(snapshots, () => sent.inc()),
      controllerChannels.snapshotAnswered.subscribe(snapshots, (e) =>
        answers.inc({ answer: e.outcome }),
      ),
      controllerChannels.telemetryBatch.subscribe(telemetry, (e) =>
        batches.inc({ result: e.merged ? 'merged' : 'duplicate' }),
      ),
      controllerChannels.compaction.subscribe(telemetry, (e) => {
        compactions.inc({ result: e.failed ? 'failed' : 'ok' });
        compacted.inc({ action: 'moved' }, e.moved);
        compacted.inc({ action: 'dropped' }, e.dropped);
      }),
      controllerChannels.certificateIssued.subscribe(authority, (e) =>
        issued.inc({ kind: e.kind }),
      ),
    );
  }

  /** One operator API procedure call; `outcome` is "ok" or the tRPC error code. */
  apiRequest(procedure: string, outcome: string, seconds: number): void {
    this.apiRequests.inc({ procedure, outcome });
    this.apiDuration.observe({ procedure }, seconds);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.registry.clear();
  }
}
