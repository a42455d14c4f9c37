'use client';
// The administration pages are for admins: anyone else is told so and gets no controls (the
// controller refuses their calls anyway, and would answer the page's lists with 403).

import type { ReactNode } from 'react';
import { PageHeader } from '../page-header';
import { useCan, useSession } from '../shell/session';
import { Empty } from '../states';

export function AdminOnly({ children }: { children: ReactNode }) {
  const isAdmin = useCan('ADMIN');
  const { role } = useSession();
  if (isAdmin) return children;
  return (
    <>
      <PageHeader title="Administration" />
      <Empty>
        <span data-testid="admin-only">
          Administration is for admins; you are signed in as {role.toLowerCase()}.
        </span>
      </Empty>
    </>
  );
}
