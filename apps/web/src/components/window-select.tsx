'use client';
// The time window a page shows, shared by the service and canary views.

export const CHART_WINDOWS = [
  { seconds: 300, label: '5 minutes' },
  { seconds: 900, label: '15 minutes' },
  { seconds: 3_600, label: '1 hour' },
  { seconds: 6 * 3_600, label: '6 hours' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 7 * 86_400, label: '7 days' },
] as const;

export function WindowSelect({
  value,
  onChange,
}: {
  value: number;
  onChange: (seconds: number) => void;
}) {
  return (
    <select aria-label="Window" value={value} onChange={(e) => onChange(Number(e.target.value))}>
      {CHART_WINDOWS.map((w) => (
        <option key={w.seconds} value={w.seconds}>
          Last {w.label}
        </option>
      ))}
    </select>
  );
}
