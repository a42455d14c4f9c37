import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OpenedDatabase, openDatabase } from '../db/database.ts';
import { PROXY_EXPIRY_MS, ProxyLiveness } from '../push/liveness.ts';
import { AuditRepository } from '../repositories/audit.ts';
import { ProxyRepository } from '../repositories/proxies.ts';
import { type Change, ChangeBus } from './changes.ts';
import { ProxyOperations } from './proxies.ts';

const START = new Date('2026-12-01T00:00:00Z').getTime();
const REMOVE_AFTER_MS = 600_000;

describe('proxy operations against a real SQLite file', () => {
  let dir: string;
  let opened: OpenedDatabase;
  let proxies: ProxyRepository;
  let changes: Change[];
  let watching: Set<string>;
  let operations: ProxyOperations;

  const register = (id: string, at: number) =>
    proxies.register(
      { id, namespace: 'shop', service: 'catalog', address: '127.0.0.1', port: 7000 },
      `SERIAL-${id}`,
      new Date(at),
      { actor: `proxy ${id}`, action: 'proxy.bootstrap', target: `proxy/${id}`, outcome: 'OK' },
    );

  /** The audit rows of removals, newest first (registering writes its own rows too). */
  const removals = async () =>
    (await new AuditRepository(opened.db).list({ limit: 20 })).filter(
      (entry) => entry.action === 'proxies.remove',
    );

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-proxies-'));
    opened = await openDatabase(join(dir, 'weft.db'));
    proxies = new ProxyRepository(opened.db);
    changes = [];
    watching = new Set();
    const bus = new ChangeBus();
    bus.subscribe((change) => {
      changes.push(change);
    });
    operations = new ProxyOperations({
      proxies,
      // No fleet before this start: no restart grace.
      liveness: new ProxyLiveness(START, undefined),
      changes: bus,
      watching: (id) => watching.has(id),
      removeAfterMs: REMOVE_AFTER_MS,
    });
  });

  afterEach(async () => {
    await opened.db.$disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it('announces the live set when it moves, and only then', async () => {
    await register('a', START);
    await register('b', START);
    await operations.sweep(new Date(START + 1_000));
    expect(changes).toEqual([{ kind: 'liveness' }]);
    await operations.sweep(new Date(START + 2_000));
    expect(changes).toHaveLength(1);

    // b keeps talking, a falls silent past the expiry.
    await proxies.heartbeat('b', new Date(START + PROXY_EXPIRY_MS));
    await operations.sweep(new Date(START + PROXY_EXPIRY_MS + 1_000));
    expect(changes).toEqual([{ kind: 'liveness' }, { kind: 'liveness' }]);

    // a comes back.
    await proxies.heartbeat('a', new Date(START + PROXY_EXPIRY_MS + 2_000));
    await operations.sweep(new Date(START + PROXY_EXPIRY_MS + 3_000));
    expect(changes).toHaveLength(3);
  });

  it('removes proxies silent past the delay unless they watch here, each with its audit row', async () => {
    await register('gone', START);
    await register('streaming', START);
    await register('talking', START);
    watching.add('streaming');
    const later = START + REMOVE_AFTER_MS + 1_000;
    await proxies.heartbeat('talking', new Date(later - 1_000));

    expect(await operations.sweep(new Date(later))).toEqual(['gone']);
    expect((await proxies.list()).map((p) => p.id)).toEqual(['streaming', 'talking']);
    expect(changes).toContainEqual({ kind: 'proxy-removed', proxyId: 'gone' });
    const audit = await removals();
    expect(audit).toMatchObject([
      { actor: 'controller', action: 'proxies.remove', target: 'proxy/gone', outcome: 'OK' },
    ]);
  });

  it("removes an operator's proxy with its audit row, and says when there was none", async () => {
    await register('a', START);
    expect(await operations.remove('a', 'alice')).toBe(true);
    expect(await operations.remove('a', 'alice')).toBe(false);
    expect(changes).toEqual([{ kind: 'proxy-removed', proxyId: 'a' }]);
    const audit = await removals();
    expect(audit).toMatchObject([
      {
        actor: 'alice',
        action: 'proxies.remove',
        target: 'proxy/a',
        detail: { reason: 'removed by an operator' },
      },
    ]);
  });
});
