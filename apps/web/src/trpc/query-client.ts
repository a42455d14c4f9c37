// One QueryClient per browser tab: live data refreshes in the background, and what is on screen
// stays there while it does (no flash, no layout shift).

import { keepPreviousData, QueryClient } from '@tanstack/react-query';

/** How often live views (graph, fleet, percentiles) ask again. */
export const LIVE_REFRESH_MS = 5_000;

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 2_000,
        placeholderData: keepPreviousData,
        retry: (failures, error) => failures < 2 && !isAuthError(error),
        refetchOnWindowFocus: true,
      },
    },
  });
}

/** tRPC errors carry their HTTP status in data.httpStatus. */
export function httpStatusOf(error: unknown): number | undefined {
  const data = (error as { data?: { httpStatus?: number } } | null)?.data;
  return data?.httpStatus;
}

export function isAuthError(error: unknown): boolean {
  return httpStatusOf(error) === 401;
}
