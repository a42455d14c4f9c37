// The access log's sampling and file handling, on a real file: a share of requests logged,
// every line one JSON object, the file reopened after logrotate moved it.

import { mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CompletedRequest, channels } from '../telemetry/channels.ts';
import { openAccessLog } from './access-log.ts';

const PROXY = {};
// A destination that fails fails the test.
channels.accessLogFailed.subscribe(
  PROXY,
  ({ error }) => {
    throw error;
  },
  (error) => {
    throw error;
  },
);

const LOCAL = { service: 'shop/server', version: 'v1', versionOf: () => undefined };

function inbound(index: number): CompletedRequest {
  return {
    proxy: LOCAL,
    direction: 'inbound',
    req: { method: 'GET', url: `/item/${index}?q=1`, headers: {} } as IncomingMessage,
    requestId: `r-${index}`,
    trace: {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      sampled: false,
    },
    peer: undefined,
    request: undefined,
    completion: { status: 200, responseBytes: 12 },
    upgrade: false,
    startedAt: 100,
    endedAt: 101.23456,
  };
}

async function open(path: string, sampleRatio: number, random?: () => number) {
  return openAccessLog({
    config: { enabled: true, sampleRatio, path },
    local: LOCAL,
    self: () => 'spiffe://weft.local/ns/shop/sa/server',
    ...(random === undefined ? {} : { random }),
    proxy: PROXY,
  });
}

const readLines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('access log', () => {
  it('logs the sampled share of requests, one JSON object per line', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'weft-access-')), 'logs', 'access.log');
    let draw = 0;
    const log = await open(file, 0.5, () => (draw++ % 2 === 0 ? 0.1 : 0.9));
    for (let i = 0; i < 10; i++) log.record(inbound(i));
    await log.close();
    const lines = await readLines(file);
    expect(lines.map((line) => line.requestId)).toEqual(['r-0', 'r-2', 'r-4', 'r-6', 'r-8']);
    expect(lines[0]).toMatchObject({
      log: 'access',
      source: 'unauthenticated',
      destination: 'shop/server',
      version: 'v1',
      path: '/item/0',
      durationMs: 1.235,
      requestBytes: 0,
      responseBytes: 12,
      flags: [],
    });
  });

  it('writes to a new file after the old one was moved away and reopen was asked for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-access-'));
    const file = join(dir, 'access.log');
    const log = await open(file, 1);
    log.record(inbound(1));
    await rename(file, join(dir, 'access.log.1'));
    await log.reopen();
    log.record(inbound(2));
    await log.close();
    expect((await readLines(join(dir, 'access.log.1'))).map((l) => l.requestId)).toEqual(['r-1']);
    expect((await readLines(file)).map((l) => l.requestId)).toEqual(['r-2']);
  });

  it('fails at start when the file cannot be opened', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-access-'));
    await writeFile(join(dir, 'not-a-folder'), '');
    await expect(open(join(dir, 'not-a-folder', 'access.log'), 1)).rejects.toMatchObject({
      code: 'MESH_ERR_ACCESS_LOG',
      message: expect.stringMatching(/^cannot open the access log .*not-a-folder/),
    });
  });
});
