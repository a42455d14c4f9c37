// POST /v1/telemetry: a traffic batch, admitted only as the caller's own observations
// (telemetry-admission.ts), then merged into the rollups.

import { proxyApi } from '@weft/proxy-protocol';
import type { TelemetryRepository } from '../../repositories/telemetry.ts';
import { ProxyRefusal } from '../proxy-refusal.ts';
import { TelemetryAdmission } from '../telemetry-admission.ts';
import type { ProxyHandler } from './handler.ts';
import { answer, readInput } from './json-exchange.ts';

export interface TelemetryDeps {
  readonly telemetry: TelemetryRepository;
  /** Every configured service, "namespace/name": what telemetry may name as a destination. */
  readonly services: () => Promise<ReadonlySet<string>>;
}

export function telemetryHandler(deps: TelemetryDeps): ProxyHandler {
  const admission = new TelemetryAdmission();
  return async (call, res, caller) => {
    const batch = await readInput(call.req, proxyApi.telemetry.request);
    if (batch.proxyId !== caller.proxyId)
      throw new ProxyRefusal(
        403,
        `a batch from ${caller.proxyId} cannot speak for ${batch.proxyId}`,
      );
    const latencies = admission.admit(batch, caller, await deps.services(), Date.now());
    answer(res, proxyApi.telemetry, { merged: await deps.telemetry.ingest(batch, latencies) });
  };
}
