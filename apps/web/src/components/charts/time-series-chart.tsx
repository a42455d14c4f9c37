'use client';
// One line chart over time (recharts): a line per series, markers where configuration changed.

import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

export interface ChartRow {
  readonly t: number;
  readonly [series: string]: number | null;
}

export interface ChartLine {
  readonly key: string;
  readonly label: string;
  readonly colour: string;
}

export const SERIES_COLOURS = ['#3461c1', '#d9822b', '#2f9e6e', '#8e44ad', '#d6453d', '#16a2b8'];

const clock = (t: number) =>
  new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

export function TimeSeriesChart({
  title,
  rows,
  lines,
  format,
  markers = [],
  testId,
}: {
  title: string;
  rows: readonly ChartRow[];
  lines: readonly ChartLine[];
  format: (value: number) => string;
  markers?: readonly { t: number; label: string }[];
  testId?: string;
}) {
  return (
    <figure className="panel" style={{ margin: 0 }} data-testid={testId}>
      <figcaption>
        <h3 style={{ marginTop: 0 }}>{title}</h3>
      </figcaption>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows as ChartRow[]} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
            <CartesianGrid stroke="#eef1f5" />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={['dataMin', 'dataMax']}
              tickFormatter={clock}
              fontSize={11}
            />
            <YAxis tickFormatter={(v: number) => format(v)} width={70} fontSize={11} />
            <Tooltip
              labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()}
              formatter={(value) => (typeof value === 'number' ? format(value) : '—')}
            />
            <Legend />
            {markers.map((m) => (
              <ReferenceLine
                key={`${m.t}-${m.label}`}
                x={m.t}
                stroke="#9aa3ad"
                strokeDasharray="4 3"
                label={{ value: m.label, position: 'insideTopLeft', fontSize: 10, fill: '#66717e' }}
              />
            ))}
            {lines.map((line) => (
              <Line
                key={line.key}
                dataKey={line.key}
                name={line.label}
                stroke={line.colour}
                dot={false}
                isAnimationActive={false}
                connectNulls={false}
                strokeWidth={2}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
