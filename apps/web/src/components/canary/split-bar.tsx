// A horizontal bar split by version share: requested or observed.

import { SERIES_COLOURS } from '../charts/time-series-chart';

export function SplitBar({
  shares,
  versions,
  label,
  testId,
}: {
  shares: Readonly<Record<string, number>>;
  versions: readonly string[];
  label: string;
  testId?: string;
}) {
  return (
    <div>
      <div className="muted" style={{ fontSize: '0.8rem', marginBottom: '0.2rem' }}>
        {label}
      </div>
      <div className="split-bar" role="img" aria-label={label} data-testid={testId}>
        {versions.map((version, i) => {
          const share = shares[version] ?? 0;
          return (
            <div
              key={version}
              data-version={version}
              data-share={share.toFixed(1)}
              style={{
                flexGrow: share,
                flexBasis: 0,
                background: SERIES_COLOURS[i % SERIES_COLOURS.length],
              }}
            >
              {share >= 8 ? `${version} ${share.toFixed(0)}%` : ''}
            </div>
          );
        })}
      </div>
    </div>
  );
}
