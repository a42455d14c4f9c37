'use client';
// Certificates: the fleet's timeline, filter by service, and the CA actions (admin only).

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { CertificateTimeline } from '~/components/certificates/timeline';
import { ConfirmButton } from '~/components/confirm-button';
import { formatDuration, formatTime } from '~/components/format/numbers';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { Can } from '~/components/shell/session';
import { LIVE_REFRESH_MS } from '~/trpc/query-client';
import { useTRPC } from '~/trpc/react';

export default function CertificatesPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [service, setService] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const inventory = useQuery(
    trpc.certificates.inventory.queryOptions(undefined, { refetchInterval: LIVE_REFRESH_MS }),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.certificates.pathKey() });
  const revoke = useMutation(trpc.certificates.revoke.mutationOptions({ onSuccess: refresh }));
  const rotate = useMutation(
    trpc.certificates.rotateIntermediate.mutationOptions({ onSuccess: refresh }),
  );
  const failure = revoke.error ?? rotate.error;

  const services = [
    ...new Set((inventory.data?.workloads ?? []).map((w) => w.service ?? 'unknown')),
  ].sort();
  const workloads = (inventory.data?.workloads ?? []).filter(
    (w) => service === '' || (w.service ?? 'unknown') === service,
  );
  const all =
    inventory.data === undefined
      ? []
      : [...inventory.data.roots, ...inventory.data.intermediates, ...inventory.data.workloads];
  const chosen = all.find((c) => c.serial === selected);

  return (
    <>
      <PageHeader
        title="Certificates"
        subtitle={
          inventory.data?.nextRenewal == null
            ? 'Workload certificates from issue to expiry, with the CA that signed them'
            : `Next renewal: ${inventory.data.nextRenewal.service ?? inventory.data.nextRenewal.serial} at ${formatTime(inventory.data.nextRenewal.at)}`
        }
        actions={
          <>
            <select
              aria-label="Filter by service"
              value={service}
              onChange={(e) => setService(e.target.value)}
            >
              <option value="">All services</option>
              {services.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
            <Can atLeast="ADMIN">
              <ConfirmButton
                label="Rotate intermediate"
                question="Issue a new intermediate CA under the same root? Certificates the old one signed stay valid until they renew."
                confirmLabel="Rotate"
                disabled={rotate.isPending}
                onConfirm={() => rotate.mutate()}
              />
            </Can>
          </>
        }
      />
      {failure === null ? null : <div className="state state-error">{failure.message}</div>}
      <QueryView
        query={inventory}
        what="certificates"
        isEmpty={(data) => data.roots.length === 0}
        empty={<>The CA has not been created yet.</>}
      >
        {(data) => (
          <>
            <div className="panel timeline" style={{ overflowX: 'auto' }}>
              <CertificateTimeline
                inventory={data}
                workloads={workloads}
                selected={selected}
                onSelect={setSelected}
              />
            </div>
            {chosen === undefined ? (
              <p className="muted">Select a bar for the certificate&apos;s details.</p>
            ) : (
              <section className="panel" data-testid="certificate-details">
                <h2 style={{ marginTop: 0 }}>
                  {chosen.kind === 'LEAF' ? chosen.identity : `${chosen.kind.toLowerCase()} CA`}{' '}
                  <span className={`badge ${chosen.status}`}>{chosen.status}</span>
                </h2>
                <dl className="details">
                  <dt>Serial</dt>
                  <dd className="mono">{chosen.serial}</dd>
                  <dt>Valid</dt>
                  <dd>
                    {formatTime(chosen.notBefore)} → {formatTime(chosen.notAfter)} (
                    {formatDuration(chosen.secondsToExpiry * 1_000)} left)
                  </dd>
                </dl>
                {chosen.kind === 'LEAF' && chosen.status === 'VALID' ? (
                  <Can atLeast="ADMIN">
                    <div style={{ marginTop: '0.75rem' }}>
                      <ConfirmButton
                        label="Revoke"
                        danger
                        question={`Revoke ${chosen.identity} (${chosen.serial})? Every proxy will refuse it with its next configuration; the workload must bootstrap again.`}
                        confirmLabel="Revoke certificate"
                        disabled={revoke.isPending}
                        onConfirm={() =>
                          revoke.mutate({
                            serial: chosen.serial,
                            reason: 'revoked from the console',
                          })
                        }
                      />
                    </div>
                  </Can>
                ) : null}
              </section>
            )}
          </>
        )}
      </QueryView>
    </>
  );
}
