// Revisions against a real SQLite file: apply -> revision -> diff -> rollback, all audited.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadMeshConfig, MeshConfigError, type Resource } from '@weft/mesh-config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyResources,
  deleteResources,
  diffRevisions,
  rollbackTo,
} from '../src/config/config-changes.ts';
import { type OpenedDatabase, openDatabase } from '../src/db/database.ts';
import { NotFoundError } from '../src/errors.ts';
import { AuditRepository } from '../src/repositories/audit.ts';
import { RevisionRepository } from '../src/repositories/revisions.ts';

const ROOT = join(import.meta.dirname, '../../..');

async function exampleResources(): Promise<Resource[]> {
  const text = await readFile(join(ROOT, 'examples/mesh.yaml'), 'utf8');
  return loadMeshConfig([{ file: 'mesh.yaml', text }]).resources.map((r) => r.resource);
}

function withCanaryWeights(resources: Resource[], v1: number, v2: number): Resource {
  const route = resources.find((r) => r.kind === 'HTTPRoute' && r.metadata.name === 'catalog');
  if (route?.kind !== 'HTTPRoute') throw new Error('example has no catalog route');
  const rules = route.spec.rules.map((rule) =>
    rule.name === 'split'
      ? {
          ...rule,
          backendRefs: [
            { ...rule.backendRefs[0], name: 'catalog', version: 'v1', weight: v1 },
            { name: 'catalog', version: 'v2', weight: v2 },
          ],
        }
      : rule,
  );
  return { ...route, spec: { ...route.spec, rules } };
}

describe('revisions in SQLite', () => {
  let dir: string;
  let opened: OpenedDatabase;
  let revisions: RevisionRepository;
  let audit: AuditRepository;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-db-'));
    opened = await openDatabase(join(dir, 'nested', 'weft.db'));
    revisions = new RevisionRepository(opened.db);
    audit = new AuditRepository(opened.db);
  });

  afterEach(async () => {
    await opened.db.$disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the database file and applies migrations once', async () => {
    expect(opened.migrated).toEqual([
      '20261123000000_init',
      '20261123040000_ca_keys',
      '20261123050000_telemetry_uploads',
      '20261123060000_rollouts',
      '20261204160000_api_token_expiry',
      '20261204180000_proxy_sent_revision',
      '20261204180000_telemetry_reporter',
    ]);
    await opened.db.$disconnect();
    opened = await openDatabase(opened.file);
    expect(opened.migrated).toEqual([]);
  });

  it('leaves migrations that the Prisma CLI recognises as its own', async () => {
    const { stdout } = await promisify(execFile)('npx', ['prisma', 'migrate', 'status'], {
      cwd: ROOT,
      env: { ...process.env, WEFT_DB: opened.file },
    });
    expect(stdout).toContain('Database schema is up to date!');
  });

  it('applies, diffs and rolls back, recording every revision and audit row', async () => {
    const example = await exampleResources();
    const first = await applyResources(revisions, example, 'alice', 'initial mesh');
    expect(first.changed).toBe(true);
    if (!first.changed) return;
    expect(first.revision.id).toBe(1);
    expect(first.revision.changes).toHaveLength(example.length);
    expect(first.revision.changes.every((c) => c.action === 'created')).toBe(true);
    expect(await revisions.current()).toEqual(first.revision.resources);

    const second = await applyResources(
      revisions,
      [withCanaryWeights(example, 70, 30)],
      'bob',
      'canary 30%',
    );
    expect(second.changed && second.revision.changes).toEqual([
      { key: 'HTTPRoute/shop/catalog', action: 'updated' },
    ]);

    const diff = await diffRevisions(revisions, 1, 2);
    expect(diff.map((c) => [c.key, c.action])).toEqual([['HTTPRoute/shop/catalog', 'updated']]);
    const after = diff[0]?.after;
    expect(
      after?.kind === 'HTTPRoute' && after.spec.rules[1]?.backendRefs.map((b) => b.weight),
    ).toEqual([70, 30]);

    const rollback = await rollbackTo(revisions, 1, 'carol');
    expect(rollback.changed).toBe(true);
    if (!rollback.changed) return;
    expect(rollback.revision).toMatchObject({
      id: 3,
      source: 'ROLLBACK',
      restoredFrom: 1,
      author: 'carol',
    });
    expect(await revisions.current()).toEqual(first.revision.resources);
    expect((await diffRevisions(revisions, 2, 3)).map((c) => c.action)).toEqual(['updated']);

    expect((await revisions.list({ limit: 10 })).map((r) => [r.id, r.author, r.message])).toEqual([
      [3, 'carol', 'rollback to revision 1'],
      [2, 'bob', 'canary 30%'],
      [1, 'alice', 'initial mesh'],
    ]);
    const entries = await audit.list({ limit: 10 });
    expect(entries.map((e) => [e.actor, e.action, e.target, e.outcome])).toEqual([
      ['carol', 'config.rollback', 'HTTPRoute/shop/catalog', 'OK'],
      ['bob', 'config.apply', 'HTTPRoute/shop/catalog', 'OK'],
      ['alice', 'config.apply', 'mesh', 'OK'],
    ]);
    expect(entries[1]?.detail).toMatchObject({
      revision: 2,
      changes: [{ key: 'HTTPRoute/shop/catalog', action: 'updated' }],
    });
  });

  it('writes nothing for an invalid change, and makes no revision for a change that changes nothing', async () => {
    const example = await exampleResources();
    await applyResources(revisions, example, 'alice');
    const dangling = withCanaryWeights(example, 50, 50);
    if (dangling.kind !== 'HTTPRoute') throw new Error('unreachable');
    const broken: Resource = {
      ...dangling,
      spec: { ...dangling.spec, rules: [{ backendRefs: [{ name: 'catalogue', weight: 1 }] }] },
    };
    await expect(applyResources(revisions, [broken], 'mallory')).rejects.toThrowError(
      MeshConfigError,
    );
    await expect(applyResources(revisions, [broken], 'mallory')).rejects.toThrowError(
      'HTTPRoute/catalog spec.rules[0].backendRefs[0].name: refers to Service "shop/catalogue", which is not defined',
    );
    expect(await applyResources(revisions, example, 'alice')).toMatchObject({
      changed: false,
      revision: { id: 1 },
    });
    expect((await revisions.list({ limit: 10 })).map((r) => r.id)).toEqual([1]);
    expect(await audit.list({ limit: 10 })).toHaveLength(1);
  });

  it('deletes resources, refusing unknown ones and deletions that break references', async () => {
    await applyResources(revisions, await exampleResources(), 'alice');
    await expect(deleteResources(revisions, ['Rollout/shop/nope'], 'alice')).rejects.toThrowError(
      NotFoundError,
    );
    await expect(
      deleteResources(revisions, ['Service/shop/inventory'], 'alice'),
    ).rejects.toThrowError('refers to Service "shop/inventory", which is not defined');
    const outcome = await deleteResources(
      revisions,
      ['Rollout/shop/catalog'],
      'alice',
      'no rollout',
    );
    expect(outcome.changed && outcome.revision.changes).toEqual([
      { key: 'Rollout/shop/catalog', action: 'deleted' },
    ]);
    expect((await revisions.current()).some((r) => r.kind === 'Rollout')).toBe(false);
  });

  it('keeps everything across a reopen of the file', async () => {
    await applyResources(revisions, await exampleResources(), 'alice');
    const before = await revisions.current();
    await opened.db.$disconnect();
    opened = await openDatabase(opened.file);
    revisions = new RevisionRepository(opened.db);
    expect(await revisions.current()).toEqual(before);
    expect((await revisions.latest())?.id).toBe(1);
  });

  it('refuses to roll back to a revision that does not exist', async () => {
    await expect(rollbackTo(revisions, 42, 'alice')).rejects.toThrowError(
      'revision 42 does not exist',
    );
  });
});
