'use client';
// The console's sidebar: one entry per page (the administration pages for admins), the signed-in
// user, sign-out.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useTRPC } from '~/trpc/react';
import { useCan, useSession } from './session';

const PAGES = [
  { href: '/', label: 'Overview' },
  { href: '/graph', label: 'Service graph' },
  { href: '/services', label: 'Services' },
  { href: '/routes', label: 'Routes & canary' },
  { href: '/rollouts', label: 'Rollouts' },
  { href: '/certificates', label: 'Certificates' },
  { href: '/proxies', label: 'Proxies' },
  { href: '/history', label: 'History' },
  { href: '/audit', label: 'Audit log' },
] as const;

/** Shown to admins only; the pages tell anyone else they are for admins. */
const ADMIN_PAGES = [
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/api-tokens', label: 'API tokens' },
  { href: '/admin/join-tokens', label: 'Join tokens' },
] as const;

export function Nav() {
  const pathname = usePathname();
  const principal = useSession();
  const isAdmin = useCan('ADMIN');
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const signOut = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: () => {
        queryClient.clear();
        router.replace('/login');
      },
    }),
  );
  return (
    <nav className="nav" aria-label="Console">
      <div className="brand">Weft</div>
      <PageLinks pages={PAGES} pathname={pathname} />
      {isAdmin ? (
        <>
          <div className="nav-group">Administration</div>
          <PageLinks pages={ADMIN_PAGES} pathname={pathname} testId="admin-nav" />
        </>
      ) : null}
      <div className="who">
        <div data-testid="signed-in-user">{principal.username}</div>
        <div className="role">{principal.role.toLowerCase()}</div>
        <button type="button" className="link" onClick={() => signOut.mutate()}>
          Sign out
        </button>
      </div>
    </nav>
  );
}

function PageLinks({
  pages,
  pathname,
  testId,
}: {
  pages: readonly { href: string; label: string }[];
  pathname: string;
  testId?: string;
}) {
  const current = (href: string) =>
    href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <ul data-testid={testId}>
      {pages.map((page) => (
        <li key={page.href}>
          <Link href={page.href} aria-current={current(page.href) ? 'page' : undefined}>
            {page.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}
