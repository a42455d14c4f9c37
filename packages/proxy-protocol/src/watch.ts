// The watch stream: server-sent events, one `snapshot` event per snapshot the proxy is to apply,
// its data the snapshot as @weft/mesh-config defines it. The proxy says where it listens now in
// the query (it may have restarted on another address or port).

import { type ProxySnapshot, proxySnapshot } from '@weft/mesh-config';
import { z } from 'zod';
import { describeIssues, ProtocolError } from './protocol-error.ts';

export const watchQuery = z.object({
  address: z.string().min(1).max(253).optional(),
  port: z.coerce.number().int().min(1).max(65_535).optional(),
});

/** The event name of a snapshot on the stream; comment lines in between are keepalives. */
export const SNAPSHOT_EVENT = 'snapshot';

/** The data of a snapshot event: validated in full by the proxy before it applies it. */
export const snapshotEventData = proxySnapshot;

/** What a proxy needs to answer an event (ACK or NACK), read before the rest is judged. */
export const snapshotEventHead = z.object({ version: z.string(), hash: z.string() });

export type WatchQuery = z.infer<typeof watchQuery>;
export type SnapshotEventHead = z.infer<typeof snapshotEventHead>;

/** One snapshot event, framed for a text/event-stream body. */
export function encodeSnapshotEvent(snapshot: ProxySnapshot): string {
  return `event: ${SNAPSHOT_EVENT}\ndata: ${JSON.stringify(snapshot)}\n\n`;
}

export interface SnapshotEvent {
  /** What the answer names: empty strings when the event does not say. */
  readonly head: SnapshotEventHead;
  /** The snapshot as sent, for the proxy to validate with snapshotEventData as it applies it. */
  readonly candidate: unknown;
}

/**
 * Reads a snapshot event's data. Throws a ProtocolError when it is not JSON, or names no version
 * and hash (there is nothing to answer); a body that is not a valid snapshot is the caller's to
 * refuse, with snapshotEventData's issues, in its NACK.
 */
export function readSnapshotEvent(data: string): SnapshotEvent {
  let candidate: unknown;
  try {
    candidate = JSON.parse(data);
  } catch (cause) {
    throw new ProtocolError(`a ${SNAPSHOT_EVENT} event's data is not JSON: ${data.slice(0, 80)}`, {
      cause,
    });
  }
  const head = snapshotEventHead.safeParse(candidate);
  if (!head.success)
    throw new ProtocolError(
      `a ${SNAPSHOT_EVENT} event names no snapshot: ${describeIssues(head.error)}`,
    );
  return { head: head.data, candidate };
}
