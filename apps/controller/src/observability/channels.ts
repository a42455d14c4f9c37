// Events the controller's parts publish through node:diagnostics_channel, so metrics subscribe
// to them and the code that does the work only says what happened.

import { TaggedChannel } from '@weft/telemetry';

/**
 * Every event names its `source`, the instance that published it: one process may run several
 * controllers (the tests do), and each counts only its own.
 */
interface Sourced {
  readonly source: object;
}

export interface SnapshotsPublishedEvent extends Sourced {
  /** The snapshot set's version, `r<revision>.<generation>`. */
  readonly version: string;
  readonly proxies: number;
  /** How many of them were compiled again: those whose inputs changed, and new proxies. */
  readonly compiled: number;
}

export interface SnapshotSentEvent extends Sourced {
  readonly proxyId: string;
  readonly version: string;
}

export interface SnapshotAnswerEvent extends Sourced {
  readonly proxyId: string;
  readonly outcome: 'ack' | 'nack';
}

export interface TelemetryBatchEvent extends Sourced {
  readonly proxyId: string;
  /** false: the batch was merged before (a re-send) and changed nothing. */
  readonly merged: boolean;
}

export interface CompactionEvent extends Sourced {
  readonly moved: number;
  readonly dropped: number;
  readonly failed: boolean;
}

export interface CertificateIssuedEvent extends Sourced {
  readonly kind: 'workload' | 'controller' | 'intermediate' | 'root';
  readonly serial: string;
}

/** A channel of one kind of controller event, each tagged with the part that published it. */
export class EventChannel<T extends Sourced> extends TaggedChannel<T> {
  constructor(name: string) {
    super(name, (event) => event.source);
  }
}

export const controllerChannels = {
  /** The push built a new snapshot set for the cache (source: SnapshotCache). */
  snapshotsPublished: new EventChannel<SnapshotsPublishedEvent>(
    'weft:controller:snapshots:published',
  ),
  /** One proxy's changed snapshot went out on its watch stream (source: SnapshotCache). */
  snapshotSent: new EventChannel<SnapshotSentEvent>('weft:controller:snapshot:sent'),
  /** A proxy applied (ACK) or refused (NACK) a snapshot (source: SnapshotCache). */
  snapshotAnswered: new EventChannel<SnapshotAnswerEvent>('weft:controller:snapshot:answered'),
  /** A telemetry batch arrived (source: TelemetryRepository). */
  telemetryBatch: new EventChannel<TelemetryBatchEvent>('weft:controller:telemetry:batch'),
  /** A rollup compaction run ended (source: TelemetryRepository). */
  compaction: new EventChannel<CompactionEvent>('weft:controller:telemetry:compaction'),
  /** The CA issued a certificate (source: MeshAuthority). */
  certificateIssued: new EventChannel<CertificateIssuedEvent>('weft:controller:certificate:issued'),
} as const;
