// Every signed-in page: the sidebar beside the page, behind the session check.

import type { ReactNode } from 'react';
import { Nav } from '~/components/shell/nav';
import { SessionGate } from '~/components/shell/session';

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <SessionGate>
      <div className="console">
        <Nav />
        <main className="page">{children}</main>
      </div>
    </SessionGate>
  );
}
