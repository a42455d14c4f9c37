// Data safety under SIGKILL: `weft controller` runs as its own process on a real SQLite file,
// large multi-resource applies go in a loop, and the process is killed at a random moment,
// several times. After each kill the file must be intact and every revision whole: the set in
// force is the newest revision's, every revision's changes and audit row match its set, and
// every apply the API acknowledged is there.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffResourceSets, type Resource, resourceSetHash } from '@weft/mesh-config';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { apiClient } from '../src/cli/api-client.ts';
import { ROOT } from './mesh-helpers.ts';

const WEFT = join(ROOT, 'bin/weft.js');
const PASSWORD = 'correct horse battery staple';
const KILLS = 5;
const SERVICES = 40;
/** After the first apply of a run is acknowledged, the kill lands within this many of its
 *  durations: before, inside or after the next commit. */
const KILL_WITHIN_APPLIES = 1.5;

/** One Service per name and an HTTPRoute for each: every apply rewrites them all. */
function bigMesh(generation: number): string {
  const documents: object[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const name = `svc-${i}`;
    documents.push(
      {
        apiVersion: 'weft.dev/v1alpha1',
        kind: 'Service',
        metadata: { name, namespace: 'load', annotations: { generation: String(generation) } },
        spec: { ports: [{ port: 8080 }], versions: [{ name: 'v1' }, { name: 'v2' }] },
      },
      {
        apiVersion: 'weft.dev/v1alpha1',
        kind: 'HTTPRoute',
        metadata: { name, namespace: 'load' },
        spec: {
          parentRefs: [{ name }],
          rules: [
            {
              backendRefs: [
                { name, version: 'v1', weight: 100 - (generation % 100) },
                { name, version: 'v2', weight: generation % 100 },
              ],
            },
          ],
        },
      },
    );
  }
  // A new Service each time too, so revisions create as well as update.
  documents.push({
    apiVersion: 'weft.dev/v1alpha1',
    kind: 'Service',
    metadata: { name: `extra-${generation}`, namespace: 'load' },
    spec: { ports: [{ port: 80 }] },
  });
  return documents.map((d) => stringify(d)).join('---\n');
}

async function startControllerProcess(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [WEFT, 'controller'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  for await (const chunk of child.stdout ?? []) {
    output += String(chunk);
    const match = /"api":"(http:\/\/[^"]+)"/.exec(output);
    if (match?.[1] !== undefined) {
      child.stdout?.resume();
      return { child, url: match[1] };
    }
  }
  throw new Error(`the controller stopped before listening:\n${output}`);
}

interface Acknowledged {
  readonly revision: number;
  readonly message: string;
}

/** Everything the file must say after a crash; returns the newest revision id. */
function checkDatabase(file: string, acknowledged: readonly Acknowledged[]): number {
  const db = new Database(file);
  try {
    expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const revisions = db
      .prepare('SELECT id, message, resources, resourcesHash FROM Revision ORDER BY id')
      .all() as { id: number; message: string; resources: string; resourcesHash: string }[];
    const changes = db.prepare(
      'SELECT kind, namespace, name, action FROM ResourceChange WHERE revisionId = ? ORDER BY kind, namespace, name',
    );
    const audits = db.prepare(
      "SELECT count(*) AS n FROM AuditEntry WHERE action = 'config.apply' AND json_extract(detail, '$.revision') = ?",
    );
    let previous: Resource[] = [];
    for (const [index, revision] of revisions.entries()) {
      expect(revision.id).toBe(index + 1);
      const resources = JSON.parse(revision.resources) as Resource[];
      expect(resourceSetHash(resources)).toBe(revision.resourcesHash);
      const expected = diffResourceSets(previous, resources).map((c) => [
        c.key,
        c.action.toUpperCase(),
      ]);
      const stored = (
        changes.all(revision.id) as {
          kind: string;
          namespace: string;
          name: string;
          action: string;
        }[]
      ).map((c) => [`${c.kind}/${c.namespace}/${c.name}`, c.action]);
      expect(stored.sort()).toEqual(expected.sort());
      expect((audits.get(revision.id) as { n: number }).n).toBe(1);
      previous = resources;
    }
    const current = (
      db.prepare('SELECT document FROM CurrentResource').all() as { document: string }[]
    ).map((r) => JSON.parse(r.document) as Resource);
    expect(resourceSetHash(current)).toBe(revisions.at(-1)?.resourcesHash ?? resourceSetHash([]));
    const byId = new Map(revisions.map((r) => [r.id, r.message]));
    for (const ack of acknowledged) expect(byId.get(ack.revision)).toBe(ack.message);
    return revisions.at(-1)?.id ?? 0;
  } finally {
    db.close();
  }
}

describe('crash safety', () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    child?.kill('SIGKILL');
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the database whole and every revision all-or-nothing across SIGKILLs mid-apply', {
    timeout: 90_000,
  }, async () => {
    const started = performance.now();
    dir = await mkdtemp(join(tmpdir(), 'weft-crash-'));
    const file = join(dir, 'weft.db');
    const env = {
      ...process.env,
      WEFT_DB: file,
      WEFT_API_PORT: '0',
      WEFT_PROXY_API_PORT: '0',
      WEFT_ADMIN_USERNAME: 'root',
      WEFT_ADMIN_PASSWORD: PASSWORD,
      WEFT_LOG_LEVEL: 'info',
    };
    let generation = 0;
    const acknowledged: Acknowledged[] = [];
    let token: string | undefined;
    let killedInFlight = 0;
    const report: string[] = [];

    for (let kill = 0; kill < KILLS; kill++) {
      const running = await startControllerProcess(env);
      child = running.child;
      if (token === undefined) {
        const signedIn = await apiClient({ server: running.url }).auth.login.mutate({
          username: 'root',
          password: PASSWORD,
          mode: 'token',
        });
        token = signedIn.token ?? '';
      }
      const client = apiClient({ server: running.url, token });
      let killed = false;
      let inFlight = false;
      let firstAck: (ms: number) => void = () => undefined;
      const warmedUp = new Promise<number>((resolve) => {
        firstAck = resolve;
      });
      const applies = (async () => {
        while (!killed) {
          generation += 1;
          const message = `generation ${generation}`;
          inFlight = true;
          const sent = performance.now();
          try {
            const answer = await client.config.applyYaml.mutate({
              yaml: bigMesh(generation),
              message,
            });
            if (answer.changed) acknowledged.push({ revision: answer.revision, message });
            firstAck(performance.now() - sent);
          } catch (error) {
            if (!killed) throw error;
          } finally {
            inFlight = false;
          }
        }
      })();
      const applyMs = await warmedUp;
      const delay = Math.floor(Math.random() * KILL_WITHIN_APPLIES * applyMs);
      await new Promise((resolve) => setTimeout(resolve, delay));
      const wasInFlight = inFlight;
      killed = true;
      const exited = once(running.child, 'exit');
      running.child.kill('SIGKILL');
      await exited;
      await applies;
      if (wasInFlight) killedInFlight += 1;
      const newest = checkDatabase(file, acknowledged);
      report.push(
        `kill ${kill + 1}: ${delay} ms after an apply of ${Math.round(applyMs)} ms${wasInFlight ? ', one in flight' : ''}; ${newest} revisions`,
      );
    }

    // It starts again on what the kills left, and serves what the newest revision holds.
    const last = await startControllerProcess(env);
    child = last.child;
    const client = apiClient({ server: last.url, token: token ?? '' });
    const current = await client.config.current.query();
    const newest = (await client.revisions.list.query({ limit: 1 }))[0];
    if (newest !== undefined) {
      const revision = await client.revisions.get.query({ id: newest.id });
      expect(resourceSetHash(current)).toBe(revision?.resourcesHash);
    }
    const after = await client.config.applyYaml.mutate({
      yaml: bigMesh(generation + 1),
      message: 'after the kills',
    });
    expect(after.changed).toBe(true);
    last.child.kill('SIGTERM');
    await once(last.child, 'exit');
    const total = checkDatabase(file, acknowledged);
    process.stdout.write(
      `crash-safety: ${KILLS} SIGKILLs survived (${killedInFlight} with an apply in flight), ${acknowledged.length} acknowledged applies kept, ${total - acknowledged.length - 1} committed without an answer, ${((performance.now() - started) / 1_000).toFixed(1)} s\n  ${report.join('\n  ')}\n`,
    );
  });
});
