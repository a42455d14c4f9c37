'use client';
// Who is signed in, and what their role lets them do. The UI hides what a role may not do; the
// controller refuses it anyway.

import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter } from 'next/navigation';
import { createContext, type ReactNode, useContext, useEffect } from 'react';
import { isAuthError } from '~/trpc/query-client';
import { useTRPC } from '~/trpc/react';
import type { RouterOutputs } from '~/trpc/types';
import { ErrorState, Loading } from '../states';

type Principal = RouterOutputs['auth']['me']['user'];
export type Role = Principal['role'];

const RANK: Record<Role, number> = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 };

const SessionContext = createContext<Principal | undefined>(undefined);

export function SessionGate({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 60_000 }));
  const signedOut = me.isError && isAuthError(me.error);
  useEffect(() => {
    if (signedOut) router.replace(`/login?next=${encodeURIComponent(pathname)}`);
  }, [signedOut, router, pathname]);
  if (me.data !== undefined)
    return <SessionContext.Provider value={me.data.user}>{children}</SessionContext.Provider>;
  if (me.isError && !signedOut) return <ErrorState error={me.error} what="your session" />;
  return <Loading what="session" />;
}

export function useSession(): Principal {
  const principal = useContext(SessionContext);
  if (principal === undefined) throw new Error('useSession outside SessionGate');
  return principal;
}

/** True when the signed-in user's role is at least `minimum`. */
export function useCan(minimum: Role): boolean {
  return RANK[useSession().role] >= RANK[minimum];
}

/** Renders its children only for users with at least the given role. */
export function Can({ atLeast, children }: { atLeast: Role; children: ReactNode }) {
  return useCan(atLeast) ? children : null;
}
