'use client';
// Versions side by side: the same window's figures for each version of one service.

import type { RouterOutputs } from '~/trpc/types';
import { formatLatency, formatPercent, formatRate } from './format/numbers';

type Versions = RouterOutputs['telemetry']['byVersion'];

export function VersionsTable({ versions, testId }: { versions: Versions; testId?: string }) {
  return (
    <div className="table-wrap">
      <table data-testid={testId}>
        <thead>
          <tr>
            <th>Version</th>
            <th className="num">Requests</th>
            <th className="num">Req/s</th>
            <th className="num">Success</th>
            <th className="num">p50</th>
            <th className="num">p90</th>
            <th className="num">p99</th>
            <th className="num">p99.9</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>{v.version}</td>
              <td className="num">{v.requests}</td>
              <td className="num">{formatRate(v.requestsPerSecond)}</td>
              <td className="num">{formatPercent(v.successRate, 2)}</td>
              <td className="num">{formatLatency(v.p50)}</td>
              <td className="num">{formatLatency(v.p90)}</td>
              <td className="num">{formatLatency(v.p99)}</td>
              <td className="num">{formatLatency(v.p999)}</td>
            </tr>
          ))}
          {versions.length === 0 ? (
            <tr>
              <td colSpan={8} className="muted">
                No calls in this window.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
