/** Human output: aligned tables with units. */
export function table(headers: string[], rows: (string | number)[][], alignRight: boolean[] = []): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (alignRight[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export const km2 = (x: number): string => (Math.abs(x) < 0.05 ? 0 : x).toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
export const pct = (x: number): string => `${(Math.abs(x) < 0.0005 ? 0 : x * 100).toFixed(1)}%`;
