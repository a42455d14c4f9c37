// The watch stream's snapshot events: framed once, read back, and a malformed one refused with
// the field it lacks rather than a crash.

import type { ProxySnapshot } from '@weft/mesh-config';
import { describe, expect, it } from 'vitest';
import { describeIssues, ProtocolError } from './protocol-error.ts';
import {
  encodeSnapshotEvent,
  readSnapshotEvent,
  SNAPSHOT_EVENT,
  snapshotEventData,
  watchQuery,
} from './watch.ts';

const SNAPSHOT: ProxySnapshot = {
  apiVersion: 'weft.dev/v1alpha1',
  kind: 'ProxySnapshot',
  version: 'r7',
  hash: 'a'.repeat(64),
  workload: {
    id: 'frontend-1',
    service: 'shop/frontend',
    identity: 'spiffe://weft.local/ns/shop/sa/frontend',
  },
  mesh: {
    trustDomain: 'weft.local',
    mtlsMode: 'STRICT',
    certificateLifetimeMs: 86_400_000,
    rotateAfter: 2 / 3,
  },
  inbound: { ports: [8080], access: { defaultAction: 'allow', policies: [] } },
  upstreams: [],
  clusters: [],
  revokedSerials: [],
  trustBundle: '',
};

/** The data line of one framed event. */
function dataOf(frame: string): string {
  const match = /^event: (.+)\ndata: (.*)\n\n$/.exec(frame);
  if (match === null) throw new Error(`not one event: ${frame}`);
  expect(match[1]).toBe(SNAPSHOT_EVENT);
  return match[2] ?? '';
}

describe('snapshot events', () => {
  it('reads back what the controller frames, with what to answer it by', () => {
    const event = readSnapshotEvent(dataOf(encodeSnapshotEvent(SNAPSHOT)));
    expect(event.head).toEqual({ version: 'r7', hash: 'a'.repeat(64) });
    expect(snapshotEventData.parse(event.candidate)).toEqual(SNAPSHOT);
  });

  it('refuses data that is not JSON, or names nothing to answer, with a ProtocolError', () => {
    expect(() => readSnapshotEvent('{"version":"r7",')).toThrow(
      new ProtocolError('a snapshot event\'s data is not JSON: {"version":"r7",'),
    );
    const { hash: _, ...headless } = SNAPSHOT;
    expect(() => readSnapshotEvent(JSON.stringify(headless))).toThrow(
      /^a snapshot event names no snapshot: hash: /,
    );
    expect(() => readSnapshotEvent('null')).toThrow(ProtocolError);
  });

  it('leaves a body that is not a snapshot to the proxy, whose schema names the field', () => {
    const broken = { ...SNAPSHOT, mesh: { ...SNAPSHOT.mesh, rotateAfter: 2 } };
    const event = readSnapshotEvent(JSON.stringify(broken));
    const checked = snapshotEventData.safeParse(event.candidate);
    expect(checked.success).toBe(false);
    expect(checked.error && describeIssues(checked.error)).toMatch(/^mesh\.rotateAfter: /);
  });
});

describe('watchQuery', () => {
  it('reads where the proxy listens from the query string, and refuses a port out of range', () => {
    expect(watchQuery.parse({ address: '10.0.0.7', port: '15001' })).toEqual({
      address: '10.0.0.7',
      port: 15_001,
    });
    expect(watchQuery.parse({})).toEqual({});
    expect(watchQuery.safeParse({ port: '70000' }).success).toBe(false);
  });
});
