// What a proxy reports besides certificates: ACK/NACK of each snapshot, heartbeats, telemetry.

import { trafficBatch } from '@weft/telemetry';
import { z } from 'zod';
import { storedText } from './stored-text.ts';

/** ACK: the proxy applied the snapshot with this version and hash. NACK: the same with `error`. */
export const ackRequest = z.strictObject({
  version: storedText().max(128),
  hash: storedText().max(64),
  /** Why the proxy refused the snapshot; absent for an ACK. */
  error: storedText().max(4_096).optional(),
});

/** A heartbeat says only "alive": its body is an empty object, and the controller does not read it. */
export const heartbeatRequest = z.strictObject({});

/** A traffic batch, as @weft/telemetry drains it from a proxy's window. */
export const telemetryRequest = trafficBatch;

/** The answer to an ACK, a NACK or a heartbeat. */
export const recordedAnswer = z.object({ recorded: z.literal(true) });

/** false: the batch had been merged before (a re-send), and counted once. */
export const telemetryAnswer = z.object({ merged: z.boolean() });

export type AckRequest = z.infer<typeof ackRequest>;
export type HeartbeatRequest = z.infer<typeof heartbeatRequest>;
export type TelemetryRequest = z.infer<typeof telemetryRequest>;
export type RecordedAnswer = z.infer<typeof recordedAnswer>;
export type TelemetryAnswer = z.infer<typeof telemetryAnswer>;
