'use client';
// The console's connection to the operator API: typed tRPC hooks over React Query. Every call
// carries the session's anti-CSRF token (the readable weft_csrf cookie the controller set at
// sign-in) in the header the controller demands on cookie-authenticated mutations.

import { QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '@weft/controller/api';
import { type ReactNode, useState } from 'react';
import superjson from 'superjson';
import { makeQueryClient } from './query-client';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

const CSRF_COOKIE = 'weft_csrf';

/** Read on every call: the cookie changes when the user signs in or out. */
function csrfHeaders(): Record<string, string> {
  if (typeof document === 'undefined') return {};
  const prefix = `${CSRF_COOKIE}=`;
  const token = document.cookie
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(prefix))
    ?.slice(prefix.length);
  return token === undefined ? {} : { 'x-weft-csrf': token };
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: '/trpc',
          transformer: superjson,
          headers: csrfHeaders,
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
