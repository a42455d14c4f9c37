'use client';
// Loading, empty and error states, the same everywhere. Each keeps its box so nothing jumps.

import type { ReactNode } from 'react';
import { httpStatusOf } from '~/trpc/query-client';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

export function ErrorState({ error, what }: { error: unknown; what: string }) {
  const status = httpStatusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="state state-error" role="alert">
      <strong>Could not load {what}</strong>
      {status === undefined ? null : <span className="muted"> (HTTP {status})</span>}
      <div>{message}</div>
    </div>
  );
}
