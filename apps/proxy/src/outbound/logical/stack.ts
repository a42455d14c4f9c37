// The logical level: one route entry of an upstream, from the backend choice (the canary split)
// down to the concrete stack of the cluster it chose.

import type { SnapshotRouteEntry } from '@weft/mesh-config';
import { createBackendPickLayer } from '../../stack/backend-pick.ts';
import { compose, type Dispatch, type Layer } from '../../stack/dispatch.ts';
import { createFaultLayer } from '../../stack/fault.ts';
import { createMirrorLayer } from '../../stack/mirror.ts';
import { createRetryLayer } from '../../stack/retry.ts';
import { RetryBudget } from '../../stack/retry-budget.ts';
import { createTimeoutLayer } from '../../stack/timeout.ts';

export interface LogicalStackDependencies {
  /** Sends a request to the concrete stack of `request.context.cluster`. */
  readonly toCluster: Dispatch;
  /** Tags the stack's events. */
  readonly proxy: object;
}

/**
 * Top to bottom:
 *   backend pick -> the weighted (canary) choice of cluster, kept across retries
 *   mirror       -> a fire-and-forget copy to the mirror cluster
 *   fault        -> injected delay or abort
 *   timeout      -> the whole request's deadline, retries included
 *   retry        -> idempotent requests, budgeted, with backoff
 *   per-try      -> each attempt's own deadline
 *   cluster      -> the chosen cluster's concrete stack (outbound/concrete/stack.ts)
 */
export function buildLogicalStack(
  entry: SnapshotRouteEntry,
  deps: LogicalStackDependencies,
): Dispatch {
  const { toCluster } = deps;
  const layers: Layer[] = [createBackendPickLayer(entry)];
  if (entry.mirror !== undefined) {
    const mirrorCluster = entry.mirror.cluster;
    layers.push(
      createMirrorLayer({
        percent: entry.mirror.percent,
        target: (request, handler) =>
          toCluster(
            { ...request, context: { ...request.context, cluster: mirrorCluster } },
            handler,
          ),
      }),
    );
  }
  if (entry.fault !== undefined) layers.push(createFaultLayer(entry.fault));
  if (entry.timeoutMs > 0)
    layers.push(createTimeoutLayer({ timeoutMs: entry.timeoutMs, scope: 'request' }));
  layers.push(
    createRetryLayer({
      policy: entry.retry,
      budget: new RetryBudget(entry.retry.budgetPercent),
      proxy: deps.proxy,
    }),
  );
  const perTryTimeoutMs = entry.retry.perTryTimeoutMs;
  if (perTryTimeoutMs !== undefined && perTryTimeoutMs > 0)
    layers.push(createTimeoutLayer({ timeoutMs: perTryTimeoutMs, scope: 'per-try' }));
  return compose(layers, toCluster);
}
