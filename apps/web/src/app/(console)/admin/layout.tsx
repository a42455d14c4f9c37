// The administration pages (users, API tokens, join tokens): shown to admins only.

import type { ReactNode } from 'react';
import { AdminOnly } from '~/components/admin/admin-only';

export default function AdminLayout({ children }: { children: ReactNode }) {
  return <AdminOnly>{children}</AdminOnly>;
}
