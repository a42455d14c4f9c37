// The title row of every page, with room on the right for the page's actions.

import type { ReactNode } from 'react';

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle === undefined ? null : <div className="muted">{subtitle}</div>}
      </div>
      {actions === undefined ? null : <div className="row">{actions}</div>}
    </header>
  );
}
