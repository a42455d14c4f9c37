// The proxy's side of config push: a long-lived watch stream (server-sent events) of snapshots,
// each applied and answered with ACK or NACK; heartbeats; certificate renewal at the configured
// share of its lifetime. When the controller is away the proxy keeps serving what it has and
// reconnects with exponential backoff and full jitter.

import { X509Certificate } from 'node:crypto';
import {
  type AnswerOf,
  type JsonEndpoint,
  PROXY_ID_HEADER,
  ProtocolError,
  proxyApi,
  type RequestOf,
  readAnswer,
  readSnapshotEvent,
  SNAPSHOT_EVENT,
  type SnapshotEvent,
} from '@weft/proxy-protocol';
import type { TrafficBatch, TrafficWindow } from '@weft/telemetry';
import { createParser } from 'eventsource-parser';
import type { Logger } from 'pino';
import { type Agent, request } from 'undici';
import type { z } from 'zod';
import type { ProxyConfig } from '../config/proxy-config.ts';
import { SnapshotRejectedError, type SnapshotStore } from '../runtime/snapshot-store.ts';
import type { Identity } from '../tls/identity.ts';
import type { IdentityHolder } from '../tls/identity-holder.ts';
import { advertisedAddress, newKeyAndCsr } from './bootstrap.ts';
import { writeCertificateFiles } from './certificate-files.ts';
import { controllerAgent } from './controller-tls.ts';

const RECONNECT_BASE_MS = 250;
const RECONNECT_MAX_MS = 30_000;
const HEARTBEAT_INTERVAL_MS = 10_000;
/** Longer than the controller's 15 s keepalive: a silent stream is a dead one. */
const STREAM_IDLE_TIMEOUT_MS = 45_000;
/** Renewal at two thirds of the lifetime unless a snapshot says otherwise. */
const DEFAULT_ROTATE_AFTER = 2 / 3;
/**
 * A certificate is kept at least this long. Issuers backdate notBefore (a minute here) for clock
 * skew, so a small rotateAfter share of a short lifetime can fall before the certificate even
 * arrived, and every renewal would at once ask for the next.
 */
const MIN_RENEWAL_DELAY_MS = 10_000;
/** An hour of 10-second batches: older ones are dropped while the controller is away. */
const MAX_UNSENT_BATCHES = 360;
/**
 * Answers that refuse a batch for what it holds: sending it again cannot help, and kept at the
 * head of the queue it would hold back every later batch.
 */
const BATCH_REFUSED = new Set([400, 403, 413, 422]);

/** The controller answered, with something other than 200. */
class ControllerRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class ControllerWatch {
  private readonly stopped = new AbortController();
  private heartbeat: NodeJS.Timeout | undefined;
  private upload: NodeJS.Timeout | undefined;
  /** Batches not yet accepted by the controller, oldest first; bounded while it is away. */
  private readonly unsent: TrafficBatch[] = [];
  private renewal: NodeJS.Timeout | undefined;
  /**
   * One agent per identity in force: heartbeats, ACKs and uploads share its connections instead
   * of each paying a full TLS handshake (on both sides) on a connection of its own.
   */
  private connection: { identity: Identity; agent: Agent } | undefined;
  /** The rotateAfter share the planned renewal was computed with. */
  private plannedShare: number | undefined;
  private failures = 0;

  constructor(
    private readonly config: ProxyConfig & { controller: NonNullable<ProxyConfig['controller']> },
    private readonly store: SnapshotStore,
    private readonly identity: IdentityHolder,
    private readonly reloadCertificates: () => Promise<void>,
    private readonly traffic: TrafficWindow,
    private readonly log: Logger,
  ) {}

  start(): void {
    void this.loop();
    this.heartbeat = setInterval(
      () => void this.post(proxyApi.heartbeat, {}).catch(() => undefined),
      HEARTBEAT_INTERVAL_MS,
    );
    this.upload = setInterval(
      () => void this.uploadTelemetry(),
      this.config.controller.telemetryIntervalMs,
    );
    this.scheduleRenewal();
    this.identity.onReplace(() => this.scheduleRenewal());
    // The first snapshot usually arrives after start, and the mesh may change rotateAfter later:
    // the renewal follows the share in force, not the default it was first planned with.
    this.store.onSwap((runtime) => {
      if (runtime.snapshot.mesh.rotateAfter !== this.plannedShare) this.scheduleRenewal();
    });
  }

  stop(): void {
    this.stopped.abort();
    clearInterval(this.heartbeat);
    clearInterval(this.upload);
    clearTimeout(this.renewal);
    void this.connection?.agent.destroy();
  }

  private agent(): Agent {
    const identity = this.identity.current();
    if (this.connection?.identity !== identity) {
      // The previous agent closes once its requests, the watch stream among them, have ended.
      void this.connection?.agent.close();
      const { certPem, keyPem, trustBundlePem } = identity.material;
      this.connection = {
        identity,
        agent: controllerAgent({ ca: trustBundlePem, cert: certPem, key: keyPem }),
      };
    }
    return this.connection.agent;
  }

  private async loop(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      try {
        await this.watchOnce();
      } catch (error) {
        if (this.stopped.signal.aborted) return;
        this.failures += 1;
        this.log.warn(
          { err: error, failures: this.failures },
          'controller watch lost; serving the configuration in force',
        );
      }
      const ceiling = Math.min(
        RECONNECT_MAX_MS,
        RECONNECT_BASE_MS * 2 ** Math.min(this.failures, 16),
      );
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }

  private async watchOnce(): Promise<void> {
    // Where this proxy listens now (watchQuery): it may have restarted on another address or port.
    const where = new URLSearchParams({
      address: advertisedAddress(this.config),
      port: String(this.config.inbound.port),
    });
    // Ended from here when a snapshot cannot be answered (the ACK did not reach the controller):
    // the controller sends the latest snapshot again to a watch that reconnects, and it is
    // answered then. Left pending, the failure would stop every later snapshot on this stream.
    const unanswered = new AbortController();
    const response = await request(`${this.config.controller.url}${proxyApi.watch.path}?${where}`, {
      dispatcher: this.agent(),
      headers: { [PROXY_ID_HEADER]: this.config.workload.id },
      signal: AbortSignal.any([this.stopped.signal, unanswered.signal]),
      bodyTimeout: STREAM_IDLE_TIMEOUT_MS,
    });
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      throw new Error(`watch refused: HTTP ${response.statusCode} ${text}`);
    }
    this.failures = 0;
    let applying = Promise.resolve();
    let failure: unknown;
    const parser = createParser({
      onEvent: (event) => {
        if (event.event !== SNAPSHOT_EVENT) return;
        applying = applying
          .then(() => this.apply(event.data))
          .catch((error: unknown) => {
            failure ??= error;
            unanswered.abort(error);
          });
      },
    });
    try {
      for await (const chunk of response.body) parser.feed((chunk as Buffer).toString('utf8'));
    } catch (error) {
      if (failure === undefined) throw error;
    }
    await applying;
    throw failure ?? new Error('the controller closed the watch stream');
  }

  private async apply(data: string): Promise<void> {
    let event: SnapshotEvent;
    try {
      event = readSnapshotEvent(data);
    } catch (error) {
      // Nothing names what to answer: the controller sends the snapshot again on a new watch.
      if (!(error instanceof ProtocolError)) throw error;
      this.log.error({ reason: error.message }, 'unreadable snapshot event ignored');
      return;
    }
    const { version, hash } = event.head;
    try {
      // The store validates the snapshot with the protocol's schema (snapshotEventData).
      await this.store.apply(event.candidate);
      await this.post(proxyApi.ack, { version, hash });
    } catch (error) {
      if (!(error instanceof SnapshotRejectedError)) throw error;
      this.log.error(
        { version, reason: error.message },
        'snapshot refused (NACK); keeping the configuration in force',
      );
      await this.post(proxyApi.ack, { version, hash, error: error.message });
    }
  }

  /** Sends a request; its answer is checked against the protocol (a ProtocolError if it breaks it). */
  private async post<E extends JsonEndpoint<z.ZodType, z.ZodType>>(
    endpoint: E,
    body: RequestOf<E>,
  ): Promise<AnswerOf<E>> {
    const response = await request(`${this.config.controller.url}${endpoint.path}`, {
      method: endpoint.method,
      dispatcher: this.agent(),
      headers: { 'content-type': 'application/json', [PROXY_ID_HEADER]: this.config.workload.id },
      body: JSON.stringify(body),
    });
    const answer = readAnswer(endpoint, response.statusCode, await response.body.text());
    if (!answer.ok)
      throw new ControllerRefusal(
        answer.status,
        `${endpoint.path}: HTTP ${answer.status} ${answer.error ?? ''}`,
      );
    return answer.value;
  }

  /**
   * Sends the window since the last upload. A batch is identified by its window end, which only
   * grows, so one re-sent after a lost answer (or after a restart) is merged once.
   */
  private async uploadTelemetry(): Promise<void> {
    const drained = this.traffic.drain(this.config.workload.id, Date.now());
    if (drained.series.length > 0) this.unsent.push(drained);
    while (this.unsent.length > MAX_UNSENT_BATCHES) this.unsent.shift();
    for (let batch = this.unsent[0]; batch !== undefined; batch = this.unsent[0]) {
      try {
        await this.post(proxyApi.telemetry, batch);
        this.unsent.shift();
      } catch (error) {
        if (!(error instanceof ControllerRefusal && BATCH_REFUSED.has(error.status))) return;
        this.log.warn({ err: error }, 'telemetry batch refused by the controller; dropped');
        this.unsent.shift();
      }
    }
  }

  private scheduleRenewal(): void {
    clearTimeout(this.renewal);
    if (this.stopped.signal.aborted) return;
    const certificate = new X509Certificate(this.identity.current().material.certPem);
    const from = new Date(certificate.validFrom).getTime();
    const to = new Date(certificate.validTo).getTime();
    const share = this.store.current()?.snapshot.mesh.rotateAfter ?? DEFAULT_ROTATE_AFTER;
    this.plannedShare = share;
    const delay = Math.max(MIN_RENEWAL_DELAY_MS, from + (to - from) * share - Date.now());
    // setTimeout holds at most ~24.8 days; a longer wait is re-planned when it fires.
    this.renewal = setTimeout(() => void this.renew(), Math.min(delay, 2 ** 31 - 1));
  }

  private async renew(): Promise<void> {
    try {
      const { keyPem, csrPem } = await newKeyAndCsr();
      const answer = await this.post(proxyApi.renew, { csr: csrPem });
      await writeCertificateFiles(this.config.tls, {
        certPem: answer.certificate,
        keyPem,
        trustBundlePem: answer.trustBundle,
      });
      await this.reloadCertificates();
      this.log.info({ serial: this.identity.current().serial }, 'certificate renewed');
    } catch (error) {
      this.log.error({ err: error }, 'certificate renewal failed; retrying');
      this.renewal = setTimeout(() => void this.renew(), RECONNECT_MAX_MS);
    }
  }
}
