'use client';
// The proxy fleet: where each workload runs, what configuration it applied, its certificate;
// operators remove the proxies that are gone.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '~/components/confirm-button';
import { formatAgo, formatDuration } from '~/components/format/numbers';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { Can } from '~/components/shell/session';
import { LIVE_REFRESH_MS } from '~/trpc/query-client';
import { useTRPC } from '~/trpc/react';

const SYNC_STATES = ['SYNCED', 'STALE', 'NACKED', 'DISCONNECTED'] as const;

export default function ProxiesPage() {
  const trpc = useTRPC();
  const live = { refetchInterval: LIVE_REFRESH_MS };
  const proxies = useQuery(trpc.proxies.list.queryOptions(undefined, live));
  const inventory = useQuery(trpc.certificates.inventory.queryOptions(undefined, live));
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.proxies.remove.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.proxies.pathKey() }),
    }),
  );
  const [state, setState] = useState('');
  const expiryOf = new Map(
    (inventory.data?.workloads ?? []).map((c) => [c.serial, c.secondsToExpiry]),
  );
  const shown = (proxies.data ?? []).filter((p) => state === '' || p.syncState === state);
  const counts = Object.fromEntries(
    SYNC_STATES.map((s) => [s, (proxies.data ?? []).filter((p) => p.syncState === s).length]),
  );

  return (
    <>
      <PageHeader
        title="Proxies"
        subtitle={SYNC_STATES.map((s) => `${counts[s]} ${s.toLowerCase()}`).join(' · ')}
        actions={
          <select
            aria-label="Filter by sync state"
            value={state}
            onChange={(e) => setState(e.target.value)}
          >
            <option value="">All states</option>
            {SYNC_STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        }
      />
      {remove.error === null ? null : <div className="form-error">{remove.error.message}</div>}
      <QueryView
        query={proxies}
        what="the fleet"
        isEmpty={(data) => data.length === 0}
        empty={<>No proxy has joined yet: create a join token with `weft token create`.</>}
      >
        {() => (
          <div className="table-wrap">
            <table data-testid="proxies">
              <thead>
                <tr>
                  <th>Proxy</th>
                  <th>Service</th>
                  <th>Version</th>
                  <th>Address</th>
                  <th>Config</th>
                  <th>Sync</th>
                  <th>Certificate</th>
                  <th>Heartbeat</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {shown.map((p) => {
                  const expiry =
                    p.certificateSerial === null ? undefined : expiryOf.get(p.certificateSerial);
                  return (
                    <tr key={p.id} data-proxy={p.id}>
                      <td className="mono">{p.id}</td>
                      <td>
                        {p.namespace}/{p.service}
                      </td>
                      <td>{p.version ?? '—'}</td>
                      <td className="mono">
                        {p.address}:{p.port}
                      </td>
                      <td className="mono">
                        {p.ackedVersion ?? '—'}
                        {p.sentVersion !== null && p.sentVersion !== p.ackedVersion ? (
                          <div className="muted">sent {p.sentVersion}</div>
                        ) : null}
                      </td>
                      <td>
                        <span className={`badge ${p.syncState}`}>{p.syncState}</span>
                        {p.nackError === null ? null : (
                          <div className="form-error">{p.nackError}</div>
                        )}
                      </td>
                      <td>
                        {expiry === undefined
                          ? '—'
                          : `expires in ${formatDuration(expiry * 1_000)}`}
                      </td>
                      <td>{formatAgo(p.lastHeartbeatAt)}</td>
                      <td>
                        {p.syncState === 'DISCONNECTED' || !p.live ? (
                          <Can atLeast="OPERATOR">
                            <ConfirmButton
                              label="Remove"
                              danger
                              question={`Remove proxy ${p.id}? It leaves the registry and every endpoint list, and must bootstrap again with a join token to return.`}
                              confirmLabel="Remove proxy"
                              onConfirm={() => remove.mutate({ id: p.id })}
                            />
                          </Can>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </>
  );
}
