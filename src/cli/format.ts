/** Human output: aligned tables with units. */
export function table(headers: string[], rows: (string | number)[][], alignRight: boolean[] = []): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (alignRight[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/**
 * A number with thousands separated by commas, as toLocaleString('en-GB') writes it, without
 * Intl: its first call loads ICU's locale data, some 40 ms of a short command.
 */
export function grouped(x: number, decimals = 0): string {
  const fixed = Math.abs(x).toFixed(decimals);
  const dot = fixed.indexOf('.');
  const int = dot < 0 ? fixed : fixed.slice(0, dot);
  const withCommas = int.replace(/\B(?=(\d{3})+$)/g, ',');
  const negative = x < 0 && /[1-9]/.test(fixed);
  return `${negative ? '-' : ''}${withCommas}${dot < 0 ? '' : fixed.slice(dot)}`;
}

export const km2 = (x: number): string => grouped(Math.abs(x) < 0.05 ? 0 : x, 1);
export const pct = (x: number): string => `${(Math.abs(x) < 0.0005 ? 0 : x * 100).toFixed(1)}%`;

/** A snapshot as the first lines of a command's output name it. */
export const snapLine = (label: string, s: { source: string; id: string; time: string; flag: string | null }): string =>
  `${label} ${s.source} snapshot ${s.id} (${s.time})${s.flag ? ` FLAGGED: ${s.flag}` : ''}`;
