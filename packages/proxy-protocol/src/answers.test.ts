// Reading the controller's answers: a 200 that breaks the protocol names the field; a refusal
// gives its error, whatever its body.

import { MeshError } from '@weft/errors';
import { describe, expect, it } from 'vitest';
import { readAnswer } from './answers.ts';
import { proxyApi } from './endpoints.ts';
import { ProtocolError } from './protocol-error.ts';

const ISSUED = {
  proxyId: 'frontend-1',
  identity: 'spiffe://weft.local/ns/shop/sa/frontend',
  certificate: '-----BEGIN CERTIFICATE-----…',
  trustBundle: '-----BEGIN CERTIFICATE-----…',
  notAfter: '2026-12-05T18:00:00.000Z',
};

const thrownBy = (read: () => unknown): unknown => {
  try {
    read();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
};

describe('readAnswer', () => {
  it('reads a 200 answer with its schema, dropping fields a newer controller may add', () => {
    const text = JSON.stringify({ ...ISSUED, addedLater: true });
    expect(readAnswer(proxyApi.bootstrap, 200, text)).toEqual({ ok: true, value: ISSUED });
    expect(readAnswer(proxyApi.telemetry, 200, '{"merged":false}')).toEqual({
      ok: true,
      value: { merged: false },
    });
  });

  it('names every field of a 200 that breaks the protocol, in a ProtocolError', () => {
    const { certificate: _, ...without } = ISSUED;
    const error = thrownBy(() =>
      readAnswer(proxyApi.bootstrap, 200, JSON.stringify({ ...without, notAfter: 'tomorrow' })),
    );
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toBeInstanceOf(MeshError);
    expect((error as ProtocolError).code).toBe('MESH_ERR_PROTOCOL');
    expect((error as Error).message).toMatch(/^the answer to \/v1\/bootstrap is malformed: /);
    expect((error as Error).message).toContain('certificate: ');
    expect((error as Error).message).toContain('notAfter: ');
    expect(() => readAnswer(proxyApi.renew, 200, '[]')).toThrow(/\(the body\): /);
    expect(() => readAnswer(proxyApi.ack, 200, '{"recorded":false}')).toThrow(/recorded: /);
  });

  it('refuses a 200 that is not JSON', () => {
    expect(() => readAnswer(proxyApi.heartbeat, 200, '<html>')).toThrow(
      new ProtocolError('the answer to /v1/heartbeat is not JSON: <html>'),
    );
  });

  it("gives a refusal's status and error, or its text when it is not the protocol's", () => {
    expect(readAnswer(proxyApi.ack, 401, '{"error":"send x-weft-proxy-id"}')).toEqual({
      ok: false,
      status: 401,
      error: 'send x-weft-proxy-id',
    });
    expect(readAnswer(proxyApi.ack, 502, 'Bad Gateway')).toEqual({
      ok: false,
      status: 502,
      error: 'Bad Gateway',
    });
    expect(readAnswer(proxyApi.ack, 500, '{}')).toEqual({
      ok: false,
      status: 500,
      error: undefined,
    });
    expect(readAnswer(proxyApi.ack, 503, '')).toEqual({ ok: false, status: 503, error: undefined });
  });
});
