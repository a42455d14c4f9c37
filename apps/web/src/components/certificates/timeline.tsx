'use client';
// Every certificate as a bar from issue to expiry on one time axis: the root and intermediate
// first, then each workload's; coloured by time left, with "now", each renewal point and the next
// renewal marked.

import type { RouterOutputs } from '~/trpc/types';
import { formatDuration, formatTime } from '../format/numbers';
import { TIME_LEFT_COLOUR, ticks, timeLeftOf, timelineDomain } from './timeline-scale';

type Inventory = RouterOutputs['certificates']['inventory'];
type Row = Inventory['workloads'][number] | Inventory['roots'][number];

const LABEL_WIDTH = 190;
const CHART_WIDTH = 780;
const ROW_HEIGHT = 26;
const AXIS_HEIGHT = 28;

export function CertificateTimeline({
  inventory,
  workloads,
  selected,
  onSelect,
}: {
  inventory: Inventory;
  workloads: Inventory['workloads'];
  selected: string | null;
  onSelect: (serial: string) => void;
}) {
  const now = inventory.now;
  const domain = timelineDomain(workloads, now);
  const x = (t: number) =>
    LABEL_WIDTH +
    ((Math.min(Math.max(t, domain[0]), domain[1]) - domain[0]) / (domain[1] - domain[0])) *
      CHART_WIDTH;
  const rows: { row: Row; label: string }[] = [
    ...inventory.roots.map((row) => ({ row, label: `root CA ${row.serial.slice(0, 8)}` })),
    ...inventory.intermediates.map((row) => ({
      row,
      label: `intermediate CA ${row.serial.slice(0, 8)}`,
    })),
    ...workloads.map((row) => ({ row, label: row.service ?? row.identity })),
  ];
  const height = AXIS_HEIGHT + rows.length * ROW_HEIGHT + 8;
  const next = inventory.nextRenewal;

  return (
    <svg
      viewBox={`0 0 ${LABEL_WIDTH + CHART_WIDTH + 24} ${height}`}
      width="100%"
      role="img"
      aria-label="Certificate timeline"
      data-testid="certificate-timeline"
    >
      {ticks(domain, 8).map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={AXIS_HEIGHT - 6} y2={height} stroke="#eef1f5" />
          <text x={x(t)} y={14} fontSize="10" textAnchor="middle" fill="#66717e">
            {new Date(t).toLocaleString(undefined, {
              weekday: 'short',
              hour: '2-digit',
              minute: '2-digit',
            })}
          </text>
        </g>
      ))}
      {rows.map(({ row, label }, i) => {
        const y = AXIS_HEIGHT + i * ROW_HEIGHT;
        const start = row.notBefore;
        const end = row.notAfter;
        const colour =
          row.status === 'REVOKED' ? '#9b2922' : TIME_LEFT_COLOUR[timeLeftOf(row, now)];
        const clippedRight = end > domain[1];
        const isSelected = selected === row.serial;
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>
          <g
            key={row.serial}
            data-testid="cert-bar"
            data-kind={row.kind}
            data-serial={row.serial}
            role="button"
            tabIndex={0}
            aria-label={`${label}: expires ${formatTime(end)}`}
            style={{ cursor: 'pointer' }}
            onClick={() => onSelect(row.serial)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') onSelect(row.serial);
            }}
          >
            <text
              x={LABEL_WIDTH - 8}
              y={y + 16}
              fontSize="11"
              textAnchor="end"
              fill={isSelected ? '#3461c1' : '#1d2530'}
              fontWeight={isSelected ? 700 : 400}
            >
              {label}
            </text>
            <rect
              x={x(start)}
              y={y + 5}
              width={Math.max(2, x(end) - x(start))}
              height={ROW_HEIGHT - 10}
              rx="3"
              fill={colour}
              opacity={row.status === 'VALID' ? 0.9 : 0.45}
              stroke={isSelected ? '#1d2530' : 'none'}
            />
            {clippedRight ? (
              <text x={x(domain[1]) - 4} y={y + 17} fontSize="10" textAnchor="end" fill="#fff">
                {`→ ${formatDuration(end - now)}`}
              </text>
            ) : null}
            {'renewAt' in row ? (
              <line
                x1={x(row.renewAt)}
                x2={x(row.renewAt)}
                y1={y + 3}
                y2={y + ROW_HEIGHT - 3}
                stroke="#1d2530"
                strokeWidth="1.5"
              />
            ) : null}
          </g>
        );
      })}
      <line
        x1={x(now)}
        x2={x(now)}
        y1={AXIS_HEIGHT - 8}
        y2={height}
        stroke="#3461c1"
        strokeWidth="2"
        data-testid="now-line"
      />
      <text x={x(now) + 4} y={AXIS_HEIGHT - 10} fontSize="10" fill="#3461c1">
        now
      </text>
      {next === null ? null : (
        <g data-testid="next-rotation">
          <line
            x1={x(next.at)}
            x2={x(next.at)}
            y1={AXIS_HEIGHT - 8}
            y2={height}
            stroke="#8e44ad"
            strokeDasharray="5 4"
          />
          <text x={x(next.at) + 4} y={height - 4} fontSize="10" fill="#8e44ad">
            next renewal: {next.service ?? next.serial.slice(0, 8)}
          </text>
        </g>
      )}
    </svg>
  );
}
