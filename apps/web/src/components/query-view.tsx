'use client';
// One query's states in one place: loading, error (kept above stale data while a refresh
// fails), empty, and the data itself.

import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Empty, ErrorState, Loading } from './states';

export function QueryView<T>({
  query,
  what,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T, unknown>;
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { data } = query;
  return (
    <>
      {query.isError ? <ErrorState error={query.error} what={what} /> : null}
      {data === undefined ? (
        query.isError ? null : (
          <Loading what={what} />
        )
      ) : isEmpty?.(data) === true ? (
        <Empty>{empty}</Empty>
      ) : (
        children(data)
      )}
    </>
  );
}
