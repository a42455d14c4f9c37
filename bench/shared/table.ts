// The benchmarks' printed tables.

/** Left-aligned first column, the rest right-aligned, two spaces apart. */
export function columns(table: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of table) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return table
    .map((row) =>
      row
        .map((cell, index) =>
          index === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[index] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}
